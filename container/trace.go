package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Trace runs strace from the host on every process of the running
// container (following forks) and copies its output to w until ctx ends
// or the container exits. This is the seed's debugging use of strace;
// the container's output itself never goes through ptrace.
func (s *Service) Trace(ctx context.Context, id string, w io.Writer) error {
	path, err := exec.LookPath("strace")
	if err != nil {
		return fmt.Errorf("strace is not installed on the daemon's host (apt-get install strace): %w", errdefs.ErrUnavailable)
	}
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	r := e.snapshot()
	if r.State.Status != StateRunning {
		return errNotRunning(r)
	}
	pids, err := s.rt.Pids(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("listing the processes of %s: %w", r.Name, err)
	}
	if len(pids) == 0 {
		pids = []int{r.State.Pid}
	}
	args := []string{"-f", "-tt"}
	for _, p := range pids {
		args = append(args, "-p", strconv.Itoa(p))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// The container's exit ends the trace.
		e.waitFor(ctx, func(r *record, _ int, removed bool) bool { return removed || !r.active() })
		cancel()
	}()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = w, w
	// strace detaches from its tracees on SIGINT; SIGKILL could leave
	// one stopped.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return nil // strace said why on w
	}
	return err
}
