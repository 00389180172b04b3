package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestErrorKindsBecomeStatuses(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		kind   api.ErrorKind
	}{
		{"not found", errdefs.ErrNotFound, http.StatusNotFound, api.KindNotFound},
		{"already exists", errdefs.ErrAlreadyExists, http.StatusConflict, api.KindAlreadyExists},
		{"conflict", errdefs.ErrConflict, http.StatusConflict, api.KindConflict},
		{"invalid argument", errdefs.ErrInvalidArgument, http.StatusBadRequest, api.KindInvalidArgument},
		{"unavailable", errdefs.ErrUnavailable, http.StatusServiceUnavailable, api.KindUnavailable},
		{"not implemented", errdefs.ErrNotImplemented, http.StatusNotImplemented, api.KindNotImplemented},
		{"untagged", errors.New("disk on fire"), http.StatusInternalServerError, api.KindInternal},
		{"wrapped twice", fmt.Errorf("starting c1: %w", fmt.Errorf("mounting: %w", errdefs.ErrConflict)), http.StatusConflict, api.KindConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fmt.Errorf("starting c1: %w", tt.err)
			d := startDaemon(t, Config{Containers: &fakeContainers{
				start: func(context.Context, string) error { return err },
			}})
			resp := d.do(t, "POST", "/v1/containers/c1/start", nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			e := apiError(t, resp)
			if e.Kind != tt.kind || e.Message != err.Error() {
				t.Fatalf("body %+v, want kind %s and message %q", e, tt.kind, err)
			}
		})
	}
}

func TestSuccessStatuses(t *testing.T) {
	var gotID string
	var gotTimeout *int
	d := startDaemon(t, Config{Containers: &fakeContainers{
		create: func(_ context.Context, req api.ContainerCreate) (api.ContainerCreated, error) {
			return api.ContainerCreated{ID: "abc" + req.Image}, nil
		},
		stop: func(_ context.Context, id string, t *int) error {
			gotID, gotTimeout = id, t
			return nil
		},
	}})
	resp := d.do(t, "POST", "/v1/containers", strings.NewReader(`{"image":"base","cmd":["/bin/true"]}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	var created api.ContainerCreated
	decodeBody(t, resp, &created)
	if created.ID != "abcbase" {
		t.Fatalf("created %+v", created)
	}
	resp = d.do(t, "POST", "/v1/containers/web/stop?t=3", nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("stop: status %d", resp.StatusCode)
	}
	if gotID != "web" || gotTimeout == nil || *gotTimeout != 3 {
		t.Fatalf("stop got id %q timeout %v", gotID, gotTimeout)
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	d := startDaemon(t, Config{})
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/v1/nothing", http.StatusNotFound},
		{"GET", "/v2/containers", http.StatusNotFound},
		{"PUT", "/v1/containers", http.StatusMethodNotAllowed},
		{"DELETE", "/v1/version", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			resp := d.do(t, tt.method, tt.path, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if e := apiError(t, resp); e.Message == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestBadQueryParameters(t *testing.T) {
	d := startDaemon(t, Config{Containers: &fakeContainers{
		stop:   func(context.Context, string, *int) error { return nil },
		resize: func(context.Context, string, uint16, uint16) error { return nil },
	}})
	tests := []struct {
		method, path, want string
	}{
		{"POST", "/v1/containers/c/stop?t=soon", "t="},
		{"POST", "/v1/containers/c/resize?h=24", "w="},
		{"POST", "/v1/containers/c/resize?h=70000&w=80", "h="},
		{"GET", "/v1/containers?all=maybe", "all="},
		{"POST", "/v1/containers/c/wait?condition=forever", "condition="},
		{"GET", "/v1/containers/c/logs?tail=some", "tail="},
		{"GET", "/v1/events?since=yesterday", "since="},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := d.do(t, tt.method, tt.path, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			if e := apiError(t, resp); !strings.Contains(e.Message, tt.want) {
				t.Fatalf("message %q does not name %q", e.Message, tt.want)
			}
		})
	}
}
