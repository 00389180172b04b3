package daemon

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/events"
)

func TestShutdownEndsStreamsAndWaitsForRequests(t *testing.T) {
	release := make(chan struct{})
	startedReq := make(chan struct{})
	socket := filepath.Join(shortTempDir(t), "d.sock")
	l, err := ListenUnix(socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Events: events.New(), Containers: &fakeContainers{
		start: func(ctx context.Context, _ string) error {
			close(startedReq)
			<-release
			return ctx.Err()
		},
	}, Images: &fakeImages{}})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	client := unixClient(socket)

	stream, err := client.Get("http://daemon/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	slow := make(chan *http.Response, 1)
	go func() {
		resp, err := client.Post("http://daemon/v1/containers/c/start", "", nil)
		if err != nil {
			t.Error(err)
		}
		slow <- resp
	}()
	<-startedReq

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	// The endless stream ends at once.
	if _, err := io.ReadAll(stream.Body); err != nil {
		t.Fatalf("events stream: %v", err)
	}
	// The running request finishes, with its context intact.
	close(release)
	if resp := <-slow; resp == nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the running request was cut: %+v", resp)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := client.Get("http://daemon/v1/_ping"); err == nil {
		t.Fatal("a request was served after Shutdown")
	}
}

func TestShutdownDeadlineCancelsRequests(t *testing.T) {
	canceled := make(chan error, 1)
	startedReq := make(chan struct{})
	d := startDaemon(t, Config{Containers: &fakeContainers{
		start: func(ctx context.Context, _ string) error {
			close(startedReq)
			<-ctx.Done()
			canceled <- ctx.Err()
			return ctx.Err()
		},
	}})
	go d.client.Post("http://daemon/v1/containers/c/start", "", nil)
	<-startedReq
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want the deadline", err)
	}
	if err := <-canceled; !errors.Is(err, context.Canceled) {
		t.Fatalf("the request's context: %v, want canceled", err)
	}
}

func TestShutdownAnswersWaitersUnavailable(t *testing.T) {
	waiting := make(chan struct{})
	d := startDaemon(t, Config{Containers: &fakeContainers{
		wait: func(ctx context.Context, _, _ string) (api.WaitResult, error) {
			close(waiting)
			<-ctx.Done()
			return api.WaitResult{}, ctx.Err()
		},
	}})
	answer := make(chan *http.Response, 1)
	go func() {
		resp, err := d.client.Post("http://daemon/v1/containers/c/wait", "", nil)
		if err != nil {
			t.Error(err)
		}
		answer <- resp
	}()
	<-waiting
	go d.srv.Shutdown(context.Background())
	resp := <-answer
	if resp == nil {
		t.Fatal("no answer")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	if e := apiError(t, resp); !strings.Contains(e.Message, "shutting down") {
		t.Fatalf("error %+v", e)
	}
}
