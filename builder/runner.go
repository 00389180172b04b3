package builder

import (
	"context"
	"io"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The network modes of a RUN step.
const (
	// NetworkHost shares the host's network stack (the seed's default).
	NetworkHost = "host"
	// NetworkNone gives the step a network namespace with only loopback.
	NetworkNone = "none"
)

// Runner runs the process of one RUN step in a container.
type Runner interface {
	// Run starts req.Args in a container whose root filesystem is
	// req.Rootfs, waits for it and returns its exit code. err is for
	// failures to run it at all; a process that ran and failed returns
	// its non-zero exit code and a nil error.
	Run(ctx context.Context, req RunRequest) (exitCode int, err error)
}

// RunRequest is one RUN step handed to a Runner.
type RunRequest struct {
	// Rootfs is an already-mounted OverlayFS: its lower layers are the
	// image so far and its upper directory becomes the step's layer.
	// The runner must not unmount it.
	Rootfs string
	// Args is the command line (argv) of the process.
	Args []string
	// Env is the process environment as KEY=value.
	Env []string
	// Cwd is the working directory inside the container.
	Cwd string
	// User is the image's USER ("" is root): "uid", "uid:gid", "name" or
	// "name:group", names resolved in the container's /etc/passwd and
	// /etc/group.
	User string
	// Network is NetworkHost or NetworkNone.
	Network string
	// Hostname is the container's host name.
	Hostname string
	// Mounts are the step's RUN --mount mounts (and heredoc script),
	// their sources already on the host; the runner adds them after its
	// own.
	Mounts []specs.Mount
	// Stdout and Stderr receive the process output as it is written.
	Stdout, Stderr io.Writer
}
