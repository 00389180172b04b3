package runtime

import (
	"context"
	"errors"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

var errTODO = errors.New("not implemented yet")

// Process is a process started by Create or Exec.
type Process struct {
	// Pid is the host PID.
	Pid int
}

// Wait waits for the process to end. It works only in the process that
// created it (the process is its child).
func (p *Process) Wait() (ExitStatus, error) { return ExitStatus{}, errTODO }

// New returns a Runtime keeping state under root, creating it if needed.
func New(root string) (*Runtime, error) { return &Runtime{Root: root}, nil }

// Create sets up the container id from opts.Bundle: namespaces, cgroup
// and mounts are ready and the init process waits for Start.
func (r *Runtime) Create(ctx context.Context, id string, opts CreateOptions) (*Process, error) {
	return nil, errTODO
}

// Start lets a created container's init process execute the user process.
func (r *Runtime) Start(ctx context.Context, id string) error { return errTODO }

// State reports the container's state.
func (r *Runtime) State(ctx context.Context, id string) (*State, error) { return nil, errTODO }

// List reports the state of every container under Root.
func (r *Runtime) List(ctx context.Context) ([]State, error) { return nil, errTODO }

// Kill sends sig to the init process, or to every process of the
// container when all is true.
func (r *Runtime) Kill(ctx context.Context, id string, sig unix.Signal, all bool) error {
	return errTODO
}

// Delete removes a stopped container (any container when force is true,
// killing it first) and everything it left: cgroup, state directory.
func (r *Runtime) Delete(ctx context.Context, id string, force bool) error { return errTODO }

// Run creates and starts the container, waits for it and deletes it.
func (r *Runtime) Run(ctx context.Context, id string, opts CreateOptions) (ExitStatus, error) {
	return ExitStatus{}, errTODO
}

// Exec starts p inside the running container id.
func (r *Runtime) Exec(ctx context.Context, id string, p *specs.Process, opts ExecOptions) (*Process, error) {
	return nil, errTODO
}

// Pids lists the host PIDs of the container's processes.
func (r *Runtime) Pids(ctx context.Context, id string) ([]int, error) { return nil, errTODO }
