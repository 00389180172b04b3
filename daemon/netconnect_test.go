package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// The connect, disconnect and prune of fakeNetworks: "c1" is a
// container, connected to the networks in f.connected.

func (f *fakeNetworks) Connect(_ context.Context, name string, req api.NetworkConnect) error {
	if _, ok := f.nets[name]; !ok {
		return fmt.Errorf("network %q: %w", name, errdefs.ErrNotFound)
	}
	if req.Container != "c1" {
		return fmt.Errorf("no such container: %s: %w", req.Container, errdefs.ErrNotFound)
	}
	if slices.Contains(f.connected, name) {
		return fmt.Errorf("endpoint with name c1 already exists in network %s: %w", name, errdefs.ErrAlreadyExists)
	}
	f.connected = append(f.connected, name)
	return nil
}

func (f *fakeNetworks) Disconnect(_ context.Context, name string, req api.NetworkDisconnect) error {
	i := slices.Index(f.connected, name)
	if i < 0 || req.Container != "c1" {
		return fmt.Errorf("container %s is not connected to network %s: %w", req.Container, name, errdefs.ErrNotFound)
	}
	f.connected = slices.Delete(f.connected, i, i+1)
	return nil
}

func (f *fakeNetworks) Prune(_ context.Context, filters map[string][]string) (api.NetworkPruneReport, error) {
	f.pruneFilters = filters
	var rep api.NetworkPruneReport
	for name, n := range f.nets {
		if len(n.Containers) == 0 && !slices.Contains(f.connected, name) {
			delete(f.nets, name)
			rep.NetworksDeleted = append(rep.NetworksDeleted, name)
		}
	}
	return rep, nil
}

func TestNetworkConnectRoutes(t *testing.T) {
	nets := &fakeNetworks{nets: map[string]api.Network{
		"busy": {ID: "id-busy", Name: "busy", Containers: []api.NetworkEndpoint{{ContainerID: "c1"}}},
		"back": {ID: "id-back", Name: "back"},
		"idle": {ID: "id-idle", Name: "idle"},
	}}
	d := startDaemon(t, Config{Networks: nets})
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		kind                     api.ErrorKind
	}{
		{"connect", "POST", "/v1/networks/back/connect", `{"container":"c1","aliases":["db"],"ipAddress":"10.1.0.9"}`, http.StatusNoContent, ""},
		{"connect again", "POST", "/v1/networks/back/connect", `{"container":"c1"}`, http.StatusConflict, api.KindAlreadyExists},
		{"connect without a container", "POST", "/v1/networks/back/connect", `{}`, http.StatusBadRequest, api.KindInvalidArgument},
		{"connect an unknown field", "POST", "/v1/networks/back/connect", `{"container":"c1","EndpointConfig":{}}`, http.StatusBadRequest, api.KindInvalidArgument},
		{"connect to an unknown network", "POST", "/v1/networks/front/connect", `{"container":"c1"}`, http.StatusNotFound, api.KindNotFound},
		{"connect an unknown container", "POST", "/v1/networks/idle/connect", `{"container":"c2"}`, http.StatusNotFound, api.KindNotFound},
		{"prune", "POST", "/v1/networks/prune?filters=" + `%7B%22label%22%3A%5B%22a%3Db%22%5D%7D`, "", http.StatusOK, ""},
		{"prune with bad filters", "POST", "/v1/networks/prune?filters=nope", "", http.StatusBadRequest, api.KindInvalidArgument},
		{"disconnect", "POST", "/v1/networks/back/disconnect", `{"container":"c1","force":true}`, http.StatusNoContent, ""},
		{"disconnect again", "POST", "/v1/networks/back/disconnect", `{"container":"c1"}`, http.StatusNotFound, api.KindNotFound},
	} {
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
	// Prune removed the unused network only, and got the filters.
	if _, ok := nets.nets["idle"]; ok {
		t.Error("prune kept idle")
	}
	if _, ok := nets.nets["back"]; !ok {
		t.Error("prune removed back, which c1 was connected to")
	}
	if got := nets.pruneFilters["label"]; !slices.Equal(got, []string{"a=b"}) {
		t.Errorf("prune got filters %v", nets.pruneFilters)
	}
}
