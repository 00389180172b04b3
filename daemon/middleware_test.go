package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// syncBuffer is a log destination safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPanicAnswers500AndServerGoesOn(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d := startDaemon(t, Config{Logger: log, Containers: &fakeContainers{
		start: func(_ context.Context, id string) error {
			if id == "bomb" {
				var m map[string]int
				m["boom"]++ // nil map: panics
			}
			return nil
		},
	}})
	resp := d.do(t, "POST", "/v1/containers/bomb/start", nil)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	if e := apiError(t, resp); e.Kind != api.KindInternal || !strings.Contains(e.Message, "nil map") {
		t.Fatalf("error %+v", e)
	}
	// The next request, on the same client, works.
	resp = d.do(t, "POST", "/v1/containers/fine/start", nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("after the panic: status %d, want 204", resp.StatusCode)
	}
	out := logs.String()
	if !strings.Contains(out, "handler panicked") || !strings.Contains(out, "stack=") {
		t.Fatalf("panic not logged with its stack:\n%s", out)
	}
	// Every request is logged at debug level with its status.
	if !strings.Contains(out, "msg=request") || !strings.Contains(out, "status=204") || !strings.Contains(out, "path=/v1/containers/fine/start") {
		t.Fatalf("request not logged:\n%s", out)
	}
}

func TestRequestContextCarriesLogger(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	d := startDaemon(t, Config{Logger: log, Containers: &fakeContainers{
		start: func(ctx context.Context, id string) error {
			loggerFrom(ctx).Info("starting in the service", "container", id)
			return nil
		},
	}})
	d.do(t, "POST", "/v1/containers/c9/start", nil)
	if out := logs.String(); !strings.Contains(out, "starting in the service") || !strings.Contains(out, "container=c9") || !strings.Contains(out, "req=") {
		t.Fatalf("service log line missing or without the request attribute:\n%s", out)
	}
}
