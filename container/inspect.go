package container

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
)

// Inspect describes a container.
func (s *Service) Inspect(ctx context.Context, id string) (api.ContainerInspect, error) {
	e, err := s.lookup(id)
	if err != nil {
		return api.ContainerInspect{}, err
	}
	r := e.snapshot()
	st := r.State
	ci := api.ContainerInspect{
		ContainerSummary: summary(r, time.Now()),
		ImageID:          string(r.ImageID),
		Config:           r.Config,
		StateDetail: api.ContainerState{
			Status:     st.Status,
			Running:    st.Status == StateRunning || st.Status == StatePaused,
			Paused:     st.Status == StatePaused,
			Restarting: st.Status == StateRestarting,
			OOMKilled:  st.OOMKilled,
			Pid:        st.Pid,
			ExitCode:   st.ExitCode,
			Error:      st.Error,
			StartedAt:  st.StartedAt,
			FinishedAt: st.FinishedAt,
			Health:     st.Health,
		},
		RestartCount:    r.RestartCount,
		StartupCommands: r.StartupResults,
		StartPhases:     r.StartPhases,
		Rootfs:          s.rootfsDir(r.ID),
		LogPath:         s.inspectLogPath(r),
	}
	// Docker's Config.Healthcheck is the check in effect.
	ci.Config.Healthcheck = r.Healthcheck
	if n := st.Net; n != nil {
		ci.IPAddress, ci.IPPrefixLen, ci.Gateway, ci.MacAddress = n.IPAddress, n.PrefixLen, n.Gateway, n.MAC
	}
	ci.Networks = s.containerNetworks(ctx, r)
	return ci, nil
}

// List describes the running containers, or all of them, newest first.
func (s *Service) List(ctx context.Context, all bool) ([]api.ContainerSummary, error) {
	now := time.Now()
	out := []api.ContainerSummary{}
	for _, e := range s.entries() {
		r := e.snapshot()
		if !all && !r.active() {
			continue
		}
		out = append(out, summary(r, now))
	}
	return out, nil
}

// Counts tells how many containers there are by state.
func (s *Service) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	for _, e := range s.entries() {
		c.Total++
		if e.snapshot().active() {
			c.Running++
		} else {
			c.Stopped++
		}
	}
	return c, nil
}

// ImageInUse reports whether a container uses the image (for
// image.Store.InUse).
func (s *Service) ImageInUse(id digest.Digest) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.containers {
		e.mu.Lock()
		used := e.rec.ImageID == id
		e.mu.Unlock()
		if used {
			return true
		}
	}
	return false
}

func summary(r *record, now time.Time) api.ContainerSummary {
	s := api.ContainerSummary{
		ID:      r.ID,
		Name:    r.Name,
		Image:   r.Config.Image,
		Command: r.Command,
		Created: r.Created,
		State:   r.State.Status,
		Status:  statusText(r, now),
		Pid:     r.State.Pid,
		Network: r.Network,
		Labels:  r.Config.Labels,
		Ports:   runPorts(r),
		Mounts:  recordMounts(r),
	}
	if h := r.State.Health; h != nil && r.active() && healthEnabled(r.Healthcheck) {
		s.Health = &api.HealthSummary{Status: h.Status, FailingStreak: h.FailingStreak}
	}
	return s
}

// runPorts are the ports the current run publishes.
func runPorts(r *record) []api.PortBinding {
	if r.State.Net == nil || !r.active() {
		return nil
	}
	return slices.Clone(r.State.Net.Ports)
}

// statusText is Docker's STATUS column: "Up 3 minutes", "Up 5 seconds
// (Paused)", "Restarting (1) 2 seconds ago", "Exited (0) 2 seconds ago",
// "Created".
func statusText(r *record, now time.Time) string {
	st := r.State
	switch st.Status {
	case StateRunning:
		return "Up " + humanDuration(now.Sub(st.StartedAt)) + healthSuffix(st.Health)
	case StatePaused:
		return "Up " + humanDuration(now.Sub(st.StartedAt)) + " (Paused)"
	case StateRestarting:
		return fmt.Sprintf("Restarting (%d) %s ago", st.ExitCode, humanDuration(now.Sub(st.FinishedAt)))
	case StateExited:
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, humanDuration(now.Sub(st.FinishedAt)))
	case StateDead:
		return "Dead"
	}
	return "Created"
}

// humanDuration is Docker's units.HumanDuration.
func humanDuration(d time.Duration) string {
	switch s := int(d.Seconds()); {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	}
	switch m := int(d.Minutes()); {
	case m == 1:
		return "About a minute"
	case m < 60:
		return fmt.Sprintf("%d minutes", m)
	}
	switch h := int(d.Round(time.Hour).Hours()); {
	case h == 1:
		return "About an hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	case h < 24*7*2:
		return fmt.Sprintf("%d days", h/24)
	case h < 24*30*2:
		return fmt.Sprintf("%d weeks", h/24/7)
	case h < 24*365*2:
		return fmt.Sprintf("%d months", h/24/30)
	default:
		return fmt.Sprintf("%d years", int(d.Hours())/24/365)
	}
}
