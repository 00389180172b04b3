package docker

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestCreateNetworks: the first network and its aliases go into the
// create request, the other endpoints are connected after it, and what
// the network service cannot do is refused by field.
func TestCreateNetworks(t *testing.T) {
	got, extras, _, err := toCreateNetworks("", createFrom(t, `{"Image": "b", "HostConfig": {"NetworkMode": "b"},
		"NetworkingConfig": {"EndpointsConfig": {"a": {"Aliases": ["x"], "IPAMConfig": {"IPv4Address": "10.9.0.5"}}, "b": {"Aliases": ["web"]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Network != "b" || !slices.Equal(got.NetworkAliases, []string{"web"}) {
		t.Errorf("first network: %q aliases %q", got.Network, got.NetworkAliases)
	}
	if len(extras) != 1 || extras["a"].IPAddress != "10.9.0.5" || !slices.Equal(extras["a"].Aliases, []string{"x"}) {
		t.Errorf("extra networks: %+v", extras)
	}
	// Without NetworkMode the first by name is the first network.
	got, extras, _, err = toCreateNetworks("", createFrom(t, `{"Image": "b", "NetworkingConfig": {"EndpointsConfig": {"z": {}, "m": {}}}}`))
	if err != nil || got.Network != "m" || len(extras) != 1 {
		t.Errorf("first by name: %q %v %v", got.Network, extras, err)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"Image": "b", "HostConfig": {"NetworkMode": "a"}, "NetworkingConfig": {"EndpointsConfig": {"b": {}}}}`, "NetworkMode"},
		{`{"Image": "b", "NetworkingConfig": {"EndpointsConfig": {"a": {"IPAMConfig": {"IPv4Address": "10.0.0.2"}}}}}`, "EndpointsConfig[a].IPAMConfig.IPv4Address"},
		{`{"Image": "b", "NetworkingConfig": {"EndpointsConfig": {"a": {"Links": ["x:y"]}}}}`, "EndpointsConfig[a].Links"},
		{`{"Image": "b", "NetworkingConfig": {"EndpointsConfig": {"a": {}, "c": {"DriverOpts": {"k": "v"}}}}}`, "EndpointsConfig[c].DriverOpts"},
	} {
		if _, _, _, err := toCreateNetworks("", createFrom(t, tc.body)); !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want a 400 naming %s", tc.body, err, tc.field)
		}
	}
}

// TestSetNetworks: inspect lists every network; on a user network the
// short id is among the aliases and, from API 1.44, in DNSNames.
func TestSetNetworks(t *testing.T) {
	c := api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: "0123456789abcdef", Name: "web"},
		Networks: map[string]api.ContainerNetwork{
			"app": {NetworkID: "n1", Aliases: []string{"www"}, IPAddress: "10.1.0.2", IPPrefixLen: 24},
			"":    {IPAddress: "172.17.0.2"},
		}}
	for _, tc := range []struct {
		version  string
		aliases  []string
		dnsNames []string
	}{
		{"1.41", []string{"www", "0123456789ab"}, nil},
		{"1.44", []string{"www", "0123456789ab"}, []string{"web", "www", "0123456789ab"}},
		{"1.50", []string{"www", "0123456789ab"}, []string{"web", "www", "0123456789ab"}},
	} {
		out := container.InspectResponse{NetworkSettings: &container.NetworkSettings{}}
		setNetworks(&out, c, tc.version)
		app := out.NetworkSettings.Networks["app"]
		if app == nil || !slices.Equal(app.Aliases, tc.aliases) || !slices.Equal(app.DNSNames, tc.dnsNames) || app.IPAddress.String() != "10.1.0.2" {
			t.Errorf("API %s: app endpoint %+v", tc.version, app)
		}
		if br := out.NetworkSettings.Networks["bridge"]; br == nil || len(br.Aliases) != 0 {
			t.Errorf("API %s: bridge endpoint %+v", tc.version, br)
		}
	}
}
