package container

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func TestTrace(t *testing.T) {
	testutil.RequireTool(t, "strace")
	f := newFixture(t)
	id := f.run(t, api.ContainerCreate{Cmd: []string{"sh", "-c", "while :; do echo tick > /dev/null; sleep 0.1; done"}})
	var w lockedBuf
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.svc.Trace(ctx, id, &w) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(w.String(), "nanosleep") && !strings.Contains(w.String(), "wait4") {
		if time.Now().After(deadline) {
			t.Fatalf("no system calls traced: %q", w.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Trace: %v", err)
	}
	// The container is not disturbed by the detach.
	if in, _ := f.svc.Inspect(context.Background(), id); in.State != StateRunning {
		t.Errorf("state %s after the trace", in.State)
	}
}

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
