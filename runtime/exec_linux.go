package runtime

import (
	"context"
	"fmt"
	"os"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
)

// Exec starts p inside the running container id: in all of its namespaces,
// its cgroup, with p's own user, capabilities, environment, working
// directory and terminal, under the container's seccomp filter. It
// returns once p has been executed; the process is a child of the caller.
func (r *Runtime) Exec(ctx context.Context, id string, p *specs.Process, opts ExecOptions) (*Process, error) {
	prep, config, release, err := r.prepareProcess(id, p)
	if err != nil {
		return nil, err
	}
	defer release()
	var console *os.File
	if p.Terminal {
		if opts.ConsoleSocket == "" {
			return nil, fmt.Errorf("process.terminal is set: a console socket is required: %w", errdefs.ErrInvalidArgument)
		}
		if console, err = dialConsole(opts.ConsoleSocket); err != nil {
			return nil, err
		}
		defer console.Close()
	}
	req := spawnRequest{
		stage:     stageExec,
		plan:      nsPlan{join: prep.joins},
		console:   console,
		stdio:     opts.Stdio,
		extra:     opts.ExtraFiles,
		configMsg: config,
		seccomp:   prep.seccomp,
	}
	proc, err := r.spawnInCgroups(ctx, req, prep.cgroups)
	release()
	if err != nil {
		return nil, fmt.Errorf("exec in %q: %w", id, err)
	}
	defer proc.close()
	if err := proc.executed(); err != nil {
		return nil, fmt.Errorf("exec in %q: %w", id, err)
	}
	if opts.PidFile != "" {
		if err := atomicfile.Write(opts.PidFile, []byte(strconv.Itoa(proc.pid)), 0o644); err != nil {
			return nil, err
		}
	}
	return &Process{Pid: proc.pid}, nil
}

// prepareProcess checks that container id runs and p can be executed in
// it, and returns the exec's cached state and its encoded config message
// (the same for Exec and ExecTemplate). The caller uses prep's files
// until it calls release, which it must call once.
func (r *Runtime) prepareProcess(id string, p *specs.Process) (prep *execPrep, config []byte, release func(), err error) {
	prep, st, err := r.execState(id)
	if err != nil {
		return nil, nil, nil, err
	}
	// The entry's files are ours until the caller has its copies.
	used := true
	release = func() {
		if used {
			used = false
			prep.done()
		}
	}
	if st != StatusRunning {
		release()
		return nil, nil, nil, fmt.Errorf("container %q is %s, not running: %w", id, st, errdefs.ErrConflict)
	}
	if p == nil || len(p.Args) == 0 {
		release()
		return nil, nil, nil, fmt.Errorf("process.args must not be empty: %w", errdefs.ErrInvalidArgument)
	}
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	if config, err = prep.config(p); err != nil {
		release()
		return nil, nil, nil, fmt.Errorf("exec in %q: %w", id, err)
	}
	return prep, config, release, nil
}
