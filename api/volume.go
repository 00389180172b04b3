package api

import "time"

// VolumeCreate is the body of POST /v1/volumes.
type VolumeCreate struct {
	// Name is the volume's name ([a-zA-Z0-9][a-zA-Z0-9_.-]+); empty
	// makes a random one.
	Name string `json:"name,omitempty"`
	// Driver is "local" (the default when empty), the only one.
	Driver string `json:"driver,omitempty"`
	// DriverOpts are the driver's options; the local driver here takes
	// none, and any given is refused.
	DriverOpts map[string]string `json:"driverOpts,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
}

// Volume describes a named volume: an entry of GET /v1/volumes, the
// answer of POST /v1/volumes and of GET /v1/volumes/{name}.
type Volume struct {
	Name   string `json:"name"`
	Driver string `json:"driver"`
	// Mountpoint is the volume's directory on the host.
	Mountpoint string            `json:"mountpoint"`
	CreatedAt  time.Time         `json:"createdAt"`
	Labels     map[string]string `json:"labels,omitempty"`
	// Scope is "local".
	Scope   string            `json:"scope"`
	Options map[string]string `json:"options,omitempty"`
	// UsedBy are the ids of the containers that use the volume (running
	// or not); a volume with none is dangling.
	UsedBy []string `json:"usedBy,omitempty"`
}

// VolumeUsage is what one volume takes on disk (system df).
type VolumeUsage struct {
	Name string `json:"name"`
	// Size is its content's size in bytes, counted as Docker counts it:
	// apparent sizes, hard links once, symbolic links not followed; -1
	// when it could not be measured.
	Size int64 `json:"size"`
	// RefCount is how many containers (running or not) use it.
	RefCount int `json:"refCount"`
}

// VolumeListOptions are the query of GET /v1/volumes: Docker's filters
// name (substring), label (KEY or KEY=VALUE) and dangling (true, false).
type VolumeListOptions struct {
	Filters map[string][]string `json:"filters,omitempty"`
}

// VolumePruneOptions are the query of POST /v1/volumes/prune: without
// All only anonymous volumes go (Docker 23 and later); Filters takes
// label and label!.
type VolumePruneOptions struct {
	All     bool                `json:"all,omitempty"`
	Filters map[string][]string `json:"filters,omitempty"`
}
