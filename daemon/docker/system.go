package docker

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/api/types/volume"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/version"
)

func (h *Handler) version(w http.ResponseWriter, r *http.Request) error {
	v := system.VersionResponse{
		Platform:      system.PlatformInfo{Name: "container-runtime"},
		Version:       version.Version,
		APIVersion:    MaxAPIVersion,
		MinAPIVersion: MinAPIVersion,
		Os:            goruntime.GOOS,
		Arch:          goruntime.GOARCH,
		GitCommit:     version.Revision(),
		GoVersion:     goruntime.Version(),
		KernelVersion: kernelRelease(),
		Components: []system.ComponentVersion{{
			Name: "Engine", Version: version.Version,
			Details: map[string]string{
				"ApiVersion": MaxAPIVersion, "MinAPIVersion": MinAPIVersion, "GitCommit": version.Revision(),
				"GoVersion": goruntime.Version(), "Os": goruntime.GOOS, "Arch": goruntime.GOARCH,
				"KernelVersion": kernelRelease(), "OCIRuntimeSpec": version.Spec,
			},
		}},
	}
	return writeJSON(w, http.StatusOK, v)
}

func (h *Handler) info(w http.ResponseWriter, r *http.Request) error {
	counts, err := h.cfg.Containers.Counts(r.Context())
	if err != nil {
		return err
	}
	images, err := h.cfg.Images.List(r.Context())
	if err != nil {
		return err
	}
	name := h.cfg.Name
	if name == "" {
		name, _ = os.Hostname()
	}
	cgroupVersion := "1"
	if h.cfg.CgroupLayout == "unified" {
		cgroupVersion = "2"
	}
	info := system.Info{
		ID: "container-runtimed", Name: name,
		Containers: counts.Total, ContainersRunning: counts.Running, ContainersStopped: counts.Stopped,
		Images: len(images), Driver: "overlay", DriverStatus: [][2]string{{"Cgroup layout", h.cfg.CgroupLayout}},
		MemoryLimit: true, CPUCfsPeriod: true, CPUCfsQuota: true, CPUShares: true, CPUSet: true, PidsLimit: true,
		IPv4Forwarding: true, NGoroutines: goruntime.NumGoroutine(), SystemTime: time.Now().Format(time.RFC3339Nano),
		LoggingDriver: "json-file", CgroupDriver: "cgroupfs", CgroupVersion: cgroupVersion,
		KernelVersion: kernelRelease(), OperatingSystem: operatingSystem(), OSType: "linux", Architecture: machine(),
		NCPU: goruntime.NumCPU(), MemTotal: memTotal(), DockerRootDir: h.cfg.Root, ServerVersion: version.Version,
		Runtimes:       map[string]system.RuntimeWithStatus{"container-runtime": {}},
		DefaultRuntime: "container-runtime", SecurityOptions: []string{"name=seccomp,profile=builtin"},
		Swarm:              swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
		IndexServerAddress: "https://index.docker.io/v1/", Labels: []string{}, Warnings: []string{},
	}
	return writeJSON(w, http.StatusOK, info)
}

// diskUsage is GET /system/df: the module's shape (API 1.52 and later),
// or for older clients the lists they read (LayersSize, Images,
// Containers, Volumes, BuildCache).
func (h *Handler) diskUsage(w http.ResponseWriter, r *http.Request) error {
	du, err := h.cfg.Images.DiskUsage(r.Context())
	if err != nil {
		return err
	}
	imgs, err := h.cfg.Images.List(r.Context())
	if err != nil {
		return err
	}
	ctrs, err := h.cfg.Containers.ListFiltered(r.Context(), api.ContainerListOptions{All: true, Size: true})
	if err != nil {
		return err
	}
	is := make([]image.Summary, 0, len(imgs))
	for _, img := range imgs {
		is = append(is, image.Summary{ID: img.ID, RepoTags: repoTags(img.Names), RepoDigests: []string{},
			Created: img.Created.Unix(), Size: img.Size, SharedSize: -1, Containers: -1, Labels: map[string]string{}})
	}
	cs := make([]container.Summary, 0, len(ctrs))
	var ctrSize int64
	active := int64(0)
	for _, c := range ctrs {
		cs = append(cs, summaryOf(c, requestOf(r).version))
		ctrSize += c.SizeRw
		if c.State == "running" {
			active++
		}
	}
	vols, err := h.volumeUsage(r)
	if err != nil {
		return err
	}
	// What the unused volumes take can be reclaimed (Docker's sums).
	var volActive, volSize, volReclaimable int64
	for _, v := range vols {
		size := max(v.UsageData.Size, 0)
		volSize += size
		if v.UsageData.RefCount > 0 {
			volActive++
		} else {
			volReclaimable += size
		}
	}
	if compareVersions(requestOf(r).version, "1.52") < 0 {
		return writeJSON(w, http.StatusOK, struct {
			LayersSize int64
			Images     []image.Summary
			Containers []container.Summary
			Volumes    []volume.Volume
			BuildCache []build.CacheRecord
		}{du.LayersSize, is, cs, vols, []build.CacheRecord{}})
	}
	return writeJSON(w, http.StatusOK, system.DiskUsage{
		ImageUsage:     &image.DiskUsage{TotalCount: int64(len(is)), TotalSize: du.ImagesSize, Items: is},
		ContainerUsage: &container.DiskUsage{TotalCount: int64(len(cs)), ActiveCount: active, TotalSize: ctrSize, Items: cs},
		VolumeUsage: &volume.DiskUsage{TotalCount: int64(len(vols)), ActiveCount: volActive, TotalSize: volSize,
			Reclaimable: volReclaimable, Items: vols},
		BuildCacheUsage: &build.DiskUsage{TotalSize: du.BuildCache, Reclaimable: du.BuildCache},
	})
}

// events streams the daemon's events in Docker's shape: those kept since
// `since` (when given), then the live ones until `until` (when given),
// filtered by type, event, container, image, network and label.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Events == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon has no event bus")
	}
	q := newQuery(r)
	filters := q.filters()
	until, err := unixTime("until", q.string("until"))
	if err != nil {
		return err
	}
	since, err := unixTime("since", q.string("since"))
	if err != nil {
		return err
	}
	if q.err != nil {
		return q.err
	}
	ctx, cancel := h.streamCtx(r.Context())
	defer cancel()
	if !until.IsZero() {
		var stop context.CancelFunc
		ctx, stop = context.WithDeadline(ctx, until)
		defer stop()
	}
	past, next := h.cfg.Events(ctx)
	fw := newFlushWriter(w, "application/json")
	if err := fw.Start(); err != nil {
		return err
	}
	enc := json.NewEncoder(fw)
	send := func(e api.Event) error {
		if !until.IsZero() && e.Time.After(until) {
			return nil
		}
		m := eventOf(e)
		if !eventMatches(m, filters) {
			return nil
		}
		return enc.Encode(m)
	}
	// since=0 replays everything kept.
	if q.string("since") != "" {
		for _, e := range past {
			if !e.Time.Before(since) {
				if err := send(e); err != nil {
					return nil
				}
			}
		}
	}
	for e := range next {
		if err := send(e); err != nil {
			return nil
		}
	}
	return nil
}

// eventOf is one of our events in Docker's shape.
func eventOf(e api.Event) events.Message {
	attrs := map[string]string{}
	for k, v := range e.Attributes {
		attrs[k] = v
	}
	if e.Name != "" {
		attrs["name"] = e.Name
	}
	if e.Image != "" {
		attrs["image"] = e.Image
	}
	if e.ExitCode != nil {
		attrs["exitCode"] = strconv.Itoa(*e.ExitCode)
	}
	return events.Message{
		Type: events.Type(e.Type), Action: events.Action(e.Action), Actor: events.Actor{ID: e.ID, Attributes: attrs},
		Scope: "local", Time: e.Time.Unix(), TimeNano: e.Time.UnixNano(),
	}
}

// eventMatches applies Docker's event filters; the values of one key are
// alternatives, except label's, which must all hold (as Docker's); different
// keys must all hold.
func eventMatches(m events.Message, filters map[string][]string) bool {
	for k, vals := range filters {
		if k == "label" {
			if !hasLabels(m.Actor.Attributes, vals) {
				return false
			}
			continue
		}
		ok := false
		for _, v := range vals {
			switch k {
			case "type":
				ok = ok || string(m.Type) == v
			case "event":
				ok = ok || string(m.Action) == v
			case "container", "image", "network":
				ok = ok || string(m.Type) == k && (strings.HasPrefix(m.Actor.ID, v) || m.Actor.Attributes["name"] == v) ||
					k == "image" && m.Actor.Attributes["image"] == v
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
