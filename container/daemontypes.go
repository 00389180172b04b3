package container

import "github.com/container-runtime/container-runtime/api"

// The option types of the daemon's ContainerService interface, which the
// Service implements (cmd/container-runtimed checks it at compile time).
type (
	// LogsOptions are the query of GET /v1/containers/{id}/logs.
	LogsOptions = api.LogsOptions
	// AttachOptions are the query of POST /v1/containers/{id}/attach.
	AttachOptions = api.AttachOptions
	// FrameWriter receives the frames of a log stream.
	FrameWriter = api.FrameWriter
	// Counts are the numbers of containers by state.
	Counts = api.ContainerCounts
)
