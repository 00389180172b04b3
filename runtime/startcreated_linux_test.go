package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestStartCreatedInMemory: a caller that created the container in this
// process starts it from the record Create returned, not from state.json.
// The file is made unreadable as JSON between create and start: Start by
// id fails on it, StartCreated does not read it.
func TestStartCreatedInMemory(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "echo started")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	state := filepath.Join(b.rt.dir(id), stateFile)
	good, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.rt.Start(t.Context(), id); err == nil {
		t.Fatal("Start by id read a damaged state.json without complaint: the test proves nothing")
	}
	if err := b.rt.StartCreated(t.Context(), c.p); err != nil {
		t.Fatalf("StartCreated: %v", err)
	}
	if st := c.wait(t); st != (ExitStatus{}) {
		t.Errorf("exit %+v, want 0", st)
	}
	c.out.waitFor(t, "started")
	// Put the record back so that the cleanup's Delete finds the cgroup.
	if err := os.WriteFile(state, good, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestStartCreatedRefusesOtherProcesses(t *testing.T) {
	rt, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Process{nil, {Pid: os.Getpid()}} {
		if err := rt.StartCreated(t.Context(), p); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("StartCreated(%v): %v, want ErrInvalidArgument", p, err)
		}
	}
}
