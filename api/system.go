package api

import "time"

// VersionInfo answers GET /v1/version.
type VersionInfo struct {
	Version    string `json:"version"`
	APIVersion string `json:"apiVersion"`
	GoVersion  string `json:"goVersion"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	// RuntimeSpec is the OCI runtime-spec version implemented.
	RuntimeSpec string `json:"runtimeSpec"`
}

// Info answers GET /v1/info.
type Info struct {
	Containers        int    `json:"containers"`
	ContainersRunning int    `json:"containersRunning"`
	ContainersStopped int    `json:"containersStopped"`
	Images            int    `json:"images"`
	Root              string `json:"root"`
	CgroupLayout      string `json:"cgroupLayout"`
	Kernel            string `json:"kernel"`
	// DaemonPid and DaemonRSS describe the daemon process itself.
	DaemonPid int   `json:"daemonPid"`
	DaemonRSS int64 `json:"daemonRss"`
}

// DiskUsage answers GET /v1/system/df.
type DiskUsage struct {
	ImagesSize     int64 `json:"imagesSize"`
	LayersSize     int64 `json:"layersSize"`
	ContainersSize int64 `json:"containersSize"`
	LogsSize       int64 `json:"logsSize"`
	BuildCache     int64 `json:"buildCacheSize"`
	// VolumesSize is what the volumes' content takes (those that could
	// be measured); Volumes is each volume's share, by name.
	VolumesSize int64         `json:"volumesSize"`
	Volumes     []VolumeUsage `json:"volumes,omitempty"`
}

// PruneReport answers the prune routes.
type PruneReport struct {
	Deleted        []string `json:"deleted,omitempty"`
	SpaceReclaimed int64    `json:"spaceReclaimed"`
}

// Event is one line of GET /v1/events (NDJSON). These are the seed's start
// and exit hooks, and more.
type Event struct {
	Time time.Time `json:"time"`
	// Type is "container", "image", "network" or "volume".
	Type string `json:"type"`
	// Action, named as Docker names them: create, start,
	// startup-command (ours), die, oom, stop, kill, restart, destroy,
	// pause, unpause, attach, "exec_create: CMD", "exec_start: CMD",
	// exec_die (attributes execID and exitCode) (containers); build and bootstrap (ours), tag,
	// untag, delete, import, pull, push, save, load (images); create,
	// destroy (networks).
	Action string `json:"action"`
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Image  string `json:"image,omitempty"`
	// Pid is set on start.
	Pid int `json:"pid,omitempty"`
	// ExitCode is set on die and startup-command.
	ExitCode *int `json:"exitCode,omitempty"`
	// OOMKilled is set on die.
	OOMKilled bool `json:"oomKilled,omitempty"`
	// StartupCommand is set on startup-command.
	StartupCommand *StartupResult    `json:"startupCommand,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"`
}
