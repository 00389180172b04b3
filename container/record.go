package container

import (
	"maps"
	"slices"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/api"
)

// The states of a container, as Docker names them.
const (
	StateCreated    = "created"
	StateRunning    = "running"
	StatePaused     = "paused"
	StateRestarting = "restarting"
	StateExited     = "exited"
	StateDead       = "dead"
)

// record is what the database holds for one container. It is the whole
// truth about the container as far as the daemon is concerned: a
// restarted daemon rebuilds everything else from it and from the
// monitor's files.
type record struct {
	ID      string              `json:"id"`
	Name    string              `json:"name"`
	Created time.Time           `json:"created"`
	Config  api.ContainerCreate `json:"config"`
	// ImageID is the image the container was created from, resolved once.
	ImageID digest.Digest `json:"imageId"`
	// Layers are the image's layers, bottom first, kept so that the
	// rootfs can be mounted even when the image lost its name.
	Layers []digest.Digest `json:"layers"`
	// Command is the target process (Entrypoint + Cmd), for listings.
	Command []string `json:"command"`
	// StartupCommands are the image's, run before Command at every start.
	StartupCommands [][]string `json:"startupCommands,omitempty"`
	// StopSignal is the resolved stop signal (options, image, SIGTERM).
	StopSignal string `json:"stopSignal"`
	// Network is the network mode ("host", "none") or name ("bridge").
	Network string `json:"network"`
	// Ports are published at every start: the request's, and with
	// PublishAll the image's exposed ports (bridge networks only).
	Ports []api.PortBinding `json:"ports,omitempty"`
	// UsernsHostID is the first host id of the range a container with a
	// private user namespace maps its ids to (usernspool.go); 0 in the
	// records made before ranges were allocated, which all used 100000.
	UsernsHostID uint32 `json:"usernsHostId,omitempty"`
	// Volumes are the volumes the container mounts (its own, the
	// image's, and those of --volumes-from), names resolved;
	// InheritedMounts the bind mounts --volumes-from gave it.
	Volumes         []volumeMount `json:"volumes,omitempty"`
	InheritedMounts []api.Mount   `json:"inheritedMounts,omitempty"`
	// Healthcheck is the health check in effect: the request's fields
	// over the image's (healthconfig.go); nil without one.
	Healthcheck *api.HealthConfig `json:"healthcheck,omitempty"`

	State runState `json:"state"`
	// RestartCount counts restarts by the restart policy since the last
	// start by a user.
	RestartCount int `json:"restartCount"`
	// StoppedByUser is set by stop and kill and cleared by start: the
	// restart policy leaves such a container alone (unless-stopped even
	// across daemon restarts).
	StoppedByUser bool `json:"stoppedByUser,omitempty"`
	// HasStarted tells a container that ran at least once.
	HasStarted bool `json:"hasStarted,omitempty"`

	StartupResults []api.StartupResult `json:"startupResults,omitempty"`
	StartPhases    []api.Phase         `json:"startPhases,omitempty"`

	// ExtraNetworks are the networks `network connect` added to Network,
	// connected at every start (netconnect.go).
	ExtraNetworks []extraNetwork `json:"extraNetworks,omitempty"`
}

// runState is the mutable part of a record: how the last run stands.
type runState struct {
	Status    string `json:"status"`
	Pid       int    `json:"pid,omitempty"`
	ExitCode  int    `json:"exitCode"`
	OOMKilled bool   `json:"oomKilled,omitempty"`
	Error     string `json:"error,omitempty"`
	// MonitorPid and MonitorStart (field 22 of /proc/PID/stat) identify
	// the monitor process across a daemon restart.
	MonitorPid   int       `json:"monitorPid,omitempty"`
	MonitorStart uint64    `json:"monitorStart,omitempty"`
	StartedAt    time.Time `json:"startedAt"`
	FinishedAt   time.Time `json:"finishedAt"`
	// Net is what the run got from its network (address, published
	// ports); nil for host and none, and once the run ended.
	Net *NetworkStatus `json:"net,omitempty"`
	// ExtraNets is what the run got from each of ExtraNetworks, by name.
	ExtraNets map[string]NetworkStatus `json:"extraNets,omitempty"`
	// Health is the health check's state (health.go): set at the start of
	// a run with a check, kept after it ends. Replaced, never changed in
	// place, so clones may share it.
	Health *api.Health `json:"health,omitempty"`
}

// clone returns a deep enough copy of r for readers outside the lock.
func (r *record) clone() *record {
	c := *r
	c.Layers = slices.Clone(r.Layers)
	c.Command = slices.Clone(r.Command)
	c.StartupCommands = slices.Clone(r.StartupCommands)
	c.StartupResults = slices.Clone(r.StartupResults)
	c.StartPhases = slices.Clone(r.StartPhases)
	c.Ports = slices.Clone(r.Ports)
	c.ExtraNetworks = slices.Clone(r.ExtraNetworks)
	c.State.ExtraNets = maps.Clone(r.State.ExtraNets)
	c.Volumes = slices.Clone(r.Volumes)
	c.InheritedMounts = slices.Clone(r.InheritedMounts)
	return &c
}

// active reports whether the container has processes (or is between
// restarts): it must be stopped before removal.
func (r *record) active() bool {
	switch r.State.Status {
	case StateRunning, StatePaused, StateRestarting:
		return true
	}
	return false
}
