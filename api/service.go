package api

import "time"

// ContainerCounts are the numbers of containers by state (GET /v1/info).
type ContainerCounts struct {
	Total   int
	Running int // running, paused and restarting
	Stopped int // created, exited and dead
}

// LogsOptions are the query of GET /v1/containers/{id}/logs.
type LogsOptions struct {
	Follow     bool
	Stdout     bool
	Stderr     bool
	Timestamps bool
	// Tail is how many lines to send from the end of the log; -1 is all.
	Tail int
	// Since and Until bound the entries by time; zero means unbounded.
	Since time.Time
	Until time.Time
}

// AttachOptions are the query of POST /v1/containers/{id}/attach.
type AttachOptions struct {
	Stdin  bool
	Stdout bool
	Stderr bool
	// Logs sends the log so far before the live output.
	Logs bool
	// DetachKeys is the key sequence that detaches, in Docker's notation
	// ("ctrl-p,ctrl-q", the default when empty).
	DetachKeys string
}

// FrameWriter receives the frames of a stream. Each call writes one frame
// to the client and flushes it.
type FrameWriter interface {
	WriteFrame(stream byte, p []byte) error
}
