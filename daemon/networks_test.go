package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// fakeNetworks is a NetworkService over a map.
type fakeNetworks struct {
	nets         map[string]api.Network
	connected    []string            // networks c1 was connected to (netconnect_test.go)
	pruneFilters map[string][]string // the last prune's
}

func (f *fakeNetworks) Create(_ context.Context, req api.NetworkCreate) (api.Network, error) {
	if _, ok := f.nets[req.Name]; ok {
		return api.Network{}, fmt.Errorf("network %s: %w", req.Name, errdefs.ErrAlreadyExists)
	}
	n := api.Network{ID: "id-" + req.Name, Name: req.Name, Driver: "bridge", Subnet: req.Subnet}
	f.nets[req.Name] = n
	return n, nil
}

func (f *fakeNetworks) List(context.Context) ([]api.Network, error) {
	var out []api.Network
	for _, n := range f.nets {
		out = append(out, n)
	}
	return out, nil
}

func (f *fakeNetworks) Inspect(_ context.Context, name string) (api.Network, error) {
	n, ok := f.nets[name]
	if !ok {
		return api.Network{}, fmt.Errorf("network %q: %w", name, errdefs.ErrNotFound)
	}
	return n, nil
}

func (f *fakeNetworks) Remove(_ context.Context, name string) error {
	if len(f.nets[name].Containers) > 0 {
		return fmt.Errorf("network %s has containers attached: %w", name, errdefs.ErrConflict)
	}
	if _, ok := f.nets[name]; !ok {
		return fmt.Errorf("network %q: %w", name, errdefs.ErrNotFound)
	}
	delete(f.nets, name)
	return nil
}

func TestNetworkRoutes(t *testing.T) {
	nets := &fakeNetworks{nets: map[string]api.Network{
		"busy": {ID: "id-busy", Name: "busy", Containers: []api.NetworkEndpoint{{ContainerID: "c1"}}},
	}}
	d := startDaemon(t, Config{Networks: nets})
	tests := []struct {
		name, method, path, body string
		status                   int
		kind                     api.ErrorKind
	}{
		{"create", "POST", "/v1/networks", `{"name":"front","subnet":"10.80.0.0/24"}`, http.StatusCreated, ""},
		{"create again", "POST", "/v1/networks", `{"name":"front"}`, http.StatusConflict, api.KindAlreadyExists},
		{"create without a name", "POST", "/v1/networks", `{"subnet":"10.80.0.0/24"}`, http.StatusBadRequest, api.KindInvalidArgument},
		{"create with an unknown field", "POST", "/v1/networks", `{"name":"x","driver":"macvlan"}`, http.StatusBadRequest, api.KindInvalidArgument},
		{"list", "GET", "/v1/networks", "", http.StatusOK, ""},
		{"inspect", "GET", "/v1/networks/front", "", http.StatusOK, ""},
		{"inspect unknown", "GET", "/v1/networks/back", "", http.StatusNotFound, api.KindNotFound},
		{"remove busy", "DELETE", "/v1/networks/busy", "", http.StatusConflict, api.KindConflict},
		{"remove", "DELETE", "/v1/networks/front", "", http.StatusNoContent, ""},
		{"remove again", "DELETE", "/v1/networks/front", "", http.StatusNotFound, api.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			resp := d.do(t, tt.method, tt.path, body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.kind != "" {
				if e := apiError(t, resp); e.Kind != tt.kind {
					t.Fatalf("kind %q, want %q (%s)", e.Kind, tt.kind, e.Message)
				}
			}
		})
	}
	if _, ok := nets.nets["front"]; ok {
		t.Fatal("front was not removed")
	}
}

func TestNetworkRoutesWithoutService(t *testing.T) {
	d := startDaemon(t, Config{})
	resp := d.do(t, "GET", "/v1/networks", nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
}
