package docker

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/network"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
)

// The tests of this file are what Compose v2 (github.com/docker/compose/v5,
// integration/dockerclients.TestComposeV5) asks that other clients did not.

// Compose's labels on its objects.
var (
	appNetwork   = api.Network{ID: "n1", Name: "p_app", Driver: "bridge", Labels: map[string]string{"com.docker.compose.project": "p", "com.docker.compose.network": "app"}}
	relayNetwork = api.Network{ID: "n2", Name: "p_relay", Driver: "bridge", Labels: map[string]string{"com.docker.compose.project": "p", "com.docker.compose.relay-network": "web"}}
	otherNetwork = api.Network{ID: "n3", Name: "q_app", Driver: "bridge", Labels: map[string]string{"com.docker.compose.project": "q", "com.docker.compose.network": "app"}}
)

// fakeNetworks is a NetworkService that lists fixed networks.
type fakeNetworks struct {
	daemon.NetworkService
	list []api.Network
}

func (f *fakeNetworks) List(context.Context) ([]api.Network, error) { return f.list, nil }

// TestNetworkListLabelsAll: every label filter must hold, as Docker's.
// `compose down` lists the project's relay networks with the project's
// label and the relay label; when either sufficed, it took the project's
// network for a relay and removed it on that path.
func TestNetworkListLabelsAll(t *testing.T) {
	h := New(Config{Networks: &fakeNetworks{list: []api.Network{appNetwork, relayNetwork, otherNetwork}}})
	for _, tc := range []struct {
		filters string
		want    []string
	}{
		{`{"label":{"com.docker.compose.project=p":true,"com.docker.compose.relay-network":true}}`, []string{"p_relay"}},
		{`{"label":{"com.docker.compose.project=p":true,"com.docker.compose.network=app":true}}`, []string{"p_app"}},
		{`{"label":{"com.docker.compose.project=p":true}}`, []string{"p_app", "p_relay"}},
		{`{"label":{"com.docker.compose.network=app":true}}`, []string{"p_app", "q_app"}},
		{`{"label":{"com.docker.compose.project=q":true,"com.docker.compose.relay-network":true}}`, nil},
		// The values of other keys stay alternatives.
		{`{"name":{"p_app":true,"q_app":true}}`, []string{"p_app", "q_app"}},
	} {
		rec := serve(h, "GET", "/v1.56/networks?filters="+url.QueryEscape(tc.filters), "")
		var got []network.Summary
		if err := json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != 200 || err != nil {
			t.Fatalf("GET /networks?filters=%s: %d %s", tc.filters, rec.Code, rec.Body)
		}
		var names []string
		for _, n := range got {
			names = append(names, n.Name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("GET /networks?filters=%s: %q, want %q", tc.filters, names, tc.want)
		}
	}
}

// TestEventLabelsAll: an event passes the label filters only when every
// one holds (Compose follows one project's, one-off or not, with two).
func TestEventLabelsAll(t *testing.T) {
	m := events.Message{Type: "container", Action: "start", Actor: events.Actor{ID: "c1",
		Attributes: map[string]string{"com.docker.compose.project": "p", "com.docker.compose.oneoff": "False"}}}
	for _, tc := range []struct {
		labels []string
		want   bool
	}{
		{[]string{"com.docker.compose.project=p", "com.docker.compose.oneoff=False"}, true},
		{[]string{"com.docker.compose.project=p"}, true},
		{[]string{"com.docker.compose.project"}, true},
		{[]string{"com.docker.compose.project=q", "com.docker.compose.oneoff=False"}, false},
		{[]string{"com.docker.compose.project=p", "com.docker.compose.oneoff=True"}, false},
		{[]string{"com.docker.compose.project=p", "com.docker.compose.service"}, false},
	} {
		if got := eventMatches(m, map[string][]string{"label": tc.labels, "type": {"container", "network"}}); got != tc.want {
			t.Errorf("labels %q: %v, want %v", tc.labels, got, tc.want)
		}
	}
}

// networkedContainers is a ContainerService whose list holds "c1", on the
// user network app and connected to back, and "gone", removed before
// its inspect.
type networkedContainers struct{ fakeContainers }

func (f *networkedContainers) ListFiltered(context.Context, api.ContainerListOptions) ([]api.ContainerSummary, error) {
	return []api.ContainerSummary{{ID: "c1", Name: "one", Network: "app", State: "running"}, {ID: "gone", Name: "two", State: "exited"}}, nil
}

func (f *networkedContainers) Inspect(_ context.Context, id string) (api.ContainerInspect, error) {
	if id != "c1" {
		return api.ContainerInspect{}, errdefs.Kindf(errdefs.ErrNotFound, "no such container: %s", id)
	}
	return api.ContainerInspect{
		ContainerSummary: api.ContainerSummary{ID: "c1", Name: "one", Network: "app", State: "running"},
		ImageID:          "sha256:abc",
		Networks: map[string]api.ContainerNetwork{
			"app":  {NetworkID: "n1", IPAddress: "10.1.0.2", IPPrefixLen: 24, Gateway: "10.1.0.1", MacAddress: "02:42:0a:01:00:02"},
			"back": {NetworkID: "n4", IPAddress: "10.4.0.3", IPPrefixLen: 24},
		},
	}, nil
}

// TestContainerListNetworks: the container list gives every network of a
// container with its id and address, and the image id, as Docker's;
// Compose recreates a container whose network ids differ from its
// networks'. A container gone before its inspect keeps its list entry.
func TestContainerListNetworks(t *testing.T) {
	h := New(Config{Containers: &networkedContainers{}})
	rec := serve(h, "GET", "/v1.56/containers/json?all=1", "")
	var got []container.Summary
	if err := json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != 200 || err != nil || len(got) != 2 {
		t.Fatalf("GET /containers/json: %d %s", rec.Code, rec.Body)
	}
	c1 := got[0]
	if c1.ImageID != "sha256:abc" {
		t.Errorf("ImageID %q", c1.ImageID)
	}
	app, back := c1.NetworkSettings.Networks["app"], c1.NetworkSettings.Networks["back"]
	if app == nil || app.NetworkID != "n1" || app.IPAddress.String() != "10.1.0.2" || app.IPPrefixLen != 24 ||
		app.Gateway.String() != "10.1.0.1" || app.MacAddress.String() != "02:42:0a:01:00:02" {
		t.Errorf("network app: %+v", app)
	}
	if back == nil || back.NetworkID != "n4" || back.IPAddress.String() != "10.4.0.3" {
		t.Errorf("network back: %+v", back)
	}
	if len(c1.NetworkSettings.Networks) != 2 || c1.HostConfig.NetworkMode != "app" {
		t.Errorf("networks %v, mode %q", c1.NetworkSettings.Networks, c1.HostConfig.NetworkMode)
	}
	if gone := got[1]; gone.ID != "gone" || len(gone.NetworkSettings.Networks) != 1 || gone.NetworkSettings.Networks["bridge"] == nil {
		t.Errorf("the container gone since the list: %+v", gone)
	}
}
