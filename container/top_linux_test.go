package container

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func TestTopListsTheContainersProcesses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.run(t, api.ContainerCreate{Name: "t", Network: "none", Cmd: []string{"sh", "-c", "sleep 100 & sleep 101 & wait"}})
	var top api.ContainerTop
	// The shell forks its sleeps just after start, and a forked child
	// shows the shell's command line until it has executed sleep.
	want := []string{"sh -c sleep 100 & sleep 101 & wait", "sleep 100", "sleep 101"}
	testutil.WaitFor(t, 10*time.Second, "the container's three processes", func() bool {
		var err error
		if top, err = f.svc.Top(ctx, "t", ""); err != nil {
			t.Fatal(err)
		}
		var cmds []string
		for _, p := range top.Processes {
			cmds = append(cmds, p[7])
		}
		slices.Sort(cmds)
		return slices.Equal(cmds, want)
	})
	pid := strconv.Itoa(f.svc.snapshotPid(t, "t"))
	var cmds []string
	for _, p := range top.Processes {
		if p[0] != "root" || (p[1] != pid && p[2] != pid) {
			t.Errorf("row %q: want root's init (pid %s) or its children", p, pid)
		}
		cmds = append(cmds, p[7])
	}
	slices.Sort(cmds)
	if !slices.Equal(cmds, want) {
		t.Errorf("CMD column %q, want %q", cmds, want)
	}

	// With ps options the host's ps runs over the container's pids only.
	top, err := f.svc.Top(ctx, "t", "-o pid,comm")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(top.Titles, []string{"PID", "COMMAND"}) || len(top.Processes) != 3 {
		t.Fatalf("top -o pid,comm: %q %q", top.Titles, top.Processes)
	}
	if _, err := f.svc.Top(ctx, "t", "-o comm"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Fatalf("ps options without a PID column: %v, want ErrInvalidArgument", err)
	}
}

// snapshotPid is the container's init pid.
func (s *Service) snapshotPid(tb testing.TB, ref string) int {
	tb.Helper()
	e, err := s.lookup(ref)
	if err != nil {
		tb.Fatal(err)
	}
	return e.snapshot().State.Pid
}

func TestTopRefusesStoppedContainer(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.Create(context.Background(), api.ContainerCreate{Image: "busybox", Name: "c", Network: "none", Cmd: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Top(context.Background(), "c", ""); !errors.Is(err, errdefs.ErrConflict) {
		t.Fatalf("top of a created container: %v, want ErrConflict", err)
	}
}
