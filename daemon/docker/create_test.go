package docker

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// createFrom decodes a create request body as the handler does.
func createFrom(t testing.TB, body string) container.CreateRequest {
	t.Helper()
	var req container.CreateRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return req
}

// TestToCreateRefuses: every option we cannot honour is a 400 naming its
// field, never dropped.
func TestToCreateRefuses(t *testing.T) {
	for _, tc := range []struct{ hostConfig, field string }{
		{`{"DeviceRequests": [{"Count": -1}]}`, "HostConfig.DeviceRequests"},
		{`{"UsernsMode": "container:x"}`, "HostConfig.UsernsMode"},
		{`{"MaskedPaths": []}`, "HostConfig.MaskedPaths"},
		{`{"ReadonlyPaths": []}`, "HostConfig.ReadonlyPaths"},
		{`{"Runtime": "kata"}`, "HostConfig.Runtime"},
		{`{"BlkioDeviceReadBps": [{"Rate": 1}]}`, "HostConfig.BlkioDeviceReadBps[0].Path"},
		{`{"BlkioWeightDevice": [{"Path": "/dev/vda", "Weight": 10}]}`, "HostConfig.BlkioWeightDevice"},
		{`{"Binds": ["/a"]}`, "HostConfig.Binds"},
		{`{"Mounts": [{"Type": "npipe", "Source": "v", "Target": "/v"}]}`, "HostConfig.Mounts[0].Type"},
		{`{"Mounts": [{"Type": "volume", "Source": "v", "Target": "/v", "VolumeOptions": {"Subpath": "a"}}]}`, "HostConfig.Mounts[0].VolumeOptions.Subpath"},
		{`{"Mounts": [{"Type": "volume", "Target": "/v", "VolumeOptions": {"DriverConfig": {"Name": "nfs"}}}]}`, "HostConfig.Mounts[0].VolumeOptions.DriverConfig"},
		{`{"Mounts": [{"Type": "volume", "Target": "/v", "VolumeOptions": {"Labels": {"a": "b"}}}]}`, "HostConfig.Mounts[0].VolumeOptions.Labels"},
		{`{"NetworkMode": "container:other"}`, "HostConfig.NetworkMode"},
		{`{"LogConfig": {"Type": "syslog"}}`, "HostConfig.LogConfig.Type"},
		{`{"LogConfig": {"Type": "none", "Config": {"max-size": "1m"}}}`, "HostConfig.LogConfig.Config"},
		{`{"Ulimits": [{"Soft": 1, "Hard": 1}]}`, "HostConfig.Ulimits[0].Name"},
		{`{"Devices": [{"PathInContainer": "/dev/x"}]}`, "HostConfig.Devices[0].PathOnHost"},
		{`{"ShmSize": -1}`, "HostConfig.ShmSize"},
		{`{"LogConfig": {"Type": "json-file", "Config": {"compress": "true"}}}`, "HostConfig.LogConfig.Config"},
		{`{"Links": ["other:alias"]}`, "HostConfig.Links"},
		{`{"PortBindings": {"80/tcp": [{"HostPort": "80-90"}]}}`, "HostConfig.PortBindings"},
		{`{"PortBindings": {"80/sctp": [{"HostPort": "80"}]}}`, "HostConfig.PortBindings"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			req := createFrom(t, `{"Image": "busybox", "HostConfig": `+tc.hostConfig+`}`)
			_, _, err := toCreate("", req)
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("%s: err %v, want ErrInvalidArgument", tc.hostConfig, err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("%s: %q does not name %s", tc.hostConfig, err, tc.field)
			}
		})
	}
	if _, _, err := toCreate("", createFrom(t, `{"HostConfig": {}}`)); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("no config: %v", err)
	}
}

// TestToCreateMaps: what the docker CLI sends for run's common flags
// becomes our request.
func TestToCreateMaps(t *testing.T) {
	req := createFrom(t, `{
		"Image": "busybox", "Cmd": ["sh"], "Entrypoint": [""], "Env": ["A=1"], "Tty": true, "OpenStdin": true,
		"Labels": {"l": "v"}, "StopSignal": "SIGINT", "Healthcheck": {"Test": ["CMD", "true"]},
		"Shell": ["/bin/bash", "-c"],
		"HostConfig": {
			"Binds": ["/src:/dst:ro,rprivate"], "Tmpfs": {"/run": "size=1m"},
			"Mounts": [{"Type": "bind", "Source": "/a", "Target": "/b", "ReadOnly": true}],
			"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}], "53/udp": [{"HostPort": ""}]},
			"NetworkMode": "default", "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2},
			"AutoRemove": true, "CapAdd": ["NET_ADMIN"], "Privileged": false, "ReadonlyRootfs": true,
			"Memory": 1048576, "CpuQuota": 50000, "CpuPeriod": 100000, "PidsLimit": 0, "MemorySwappiness": -1,
			"Init": true, "Dns": ["1.1.1.1"], "ExtraHosts": ["h:1.2.3.4"], "ConsoleSize": [24, 80],
			"LogConfig": {"Type": "json-file", "Config": {"max-size": "1m", "max-file": "2"}}
		},
		"NetworkingConfig": {"EndpointsConfig": {"default": {}}}
	}`)
	got, warnings, err := toCreate("web", req)
	if err != nil {
		t.Fatal(err)
	}
	want := api.ContainerCreate{
		Name: "web", Image: "busybox", Cmd: []string{"sh"}, Entrypoint: []string{}, Env: []string{"A=1"},
		Labels: map[string]string{"l": "v"}, Tty: true, OpenStdin: true, ConsoleSize: [2]uint16{24, 80},
		StopSignal: "SIGINT", ReadOnly: true, CapAdd: []string{"NET_ADMIN"}, Init: true, AutoRemove: true,
		RestartPolicy: api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2},
		Resources:     api.Resources{Memory: 1 << 20, CPUPeriod: 100000, CPUQuota: 50000},
		DNS:           []string{"1.1.1.1"}, ExtraHosts: []string{"h:1.2.3.4"},
		Ports: []api.PortBinding{{ContainerPort: 53, Proto: "udp"}, {HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}},
		Mounts: []api.Mount{
			{Type: "bind", Source: "/src", Destination: "/dst", ReadOnly: true, Options: []string{"rprivate"}},
			{Type: "bind", Source: "/a", Destination: "/b", ReadOnly: true},
			{Type: "tmpfs", Destination: "/run", Options: []string{"size=1m"}},
		},
		Log: api.LogOpts{MaxSize: 1 << 20, MaxFiles: 2}, LogDriver: "json-file",
		Healthcheck: &api.HealthConfig{Test: []string{"CMD", "true"}},
		Shell:       []string{"/bin/bash", "-c"},
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("toCreate:\n got %s\nwant %s", gj, wj)
	}
	if slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "Healthcheck") }) {
		t.Errorf("a warning for the health check, which is served: %q", warnings)
	}
	// One network named in NetworkingConfig is the network.
	got, _, err = toCreate("", createFrom(t, `{"Image": "b", "NetworkingConfig": {"EndpointsConfig": {"mynet": {"Aliases": ["x"]}}}}`))
	if err != nil || got.Network != "mynet" {
		t.Errorf("network from EndpointsConfig: %q %v", got.Network, err)
	}
	if _, _, err := toCreate("", createFrom(t, `{"Image": "b", "HostConfig": {"NetworkMode": "a"}, "NetworkingConfig": {"EndpointsConfig": {"b": {}}}}`)); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("two different networks: %v", err)
	}
}

// FuzzCreateRequest: any body either decodes and translates, or is
// refused with ErrInvalidArgument; nothing panics, and an accepted
// request never carries what refuseIsolation refuses.
func FuzzCreateRequest(f *testing.F) {
	f.Add(`{"Image": "busybox", "Cmd": ["true"]}`)
	f.Add(`{"Image": "b", "HostConfig": {"Binds": ["/a:/b:ro"], "PortBindings": {"80/tcp": [{"HostPort": "8080"}]}}}`)
	f.Add(`{"Image": "b", "HostConfig": {"Devices": [{}], "Tmpfs": {"/t": ""}}}`)
	f.Add(`{"Image": "b", "HostConfig": {"Ulimits": [null, {"Name": "nofile"}], "Sysctls": {"a": "b"}, "ShmSize": -5, "LogConfig": {"Type": "none"}}}`)
	f.Add(`{"Image": "b", "HostConfig": {"Mounts": [{"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": 1, "Mode": 511}}]}}`)
	f.Add(`{"Image": "b", "NetworkingConfig": {"EndpointsConfig": {"n": {"IPAMConfig": {"IPv4Address": "10.0.0.2"}}}}}`)
	f.Add(`{"Image": "b", "HostConfig": {"LogConfig": {"Config": {"max-size": "1k"}}, "CpuQuota": -1, "ConsoleSize": [99999999, 1]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var req container.CreateRequest
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			return
		}
		got, _, err := toCreate("x", req)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("%s: %v is not ErrInvalidArgument", body, err)
			}
			return
		}
		if hc := req.HostConfig; hc != nil {
			if len(hc.DeviceCgroupRules) > 0 || hc.CgroupParent != "" || hc.OomScoreAdj != 0 || hc.MaskedPaths != nil || len(hc.BlkioWeightDevice) > 0 {
				t.Fatalf("%s: accepted an option it cannot honour", body)
			}
		}
		if got.Image == "" {
			t.Fatalf("%s: accepted without an image", body)
		}
	})
}

// TestToCreateHostConfig: the run flags' HostConfig fields reach our
// request, and inspect shows them back as Docker does.
func TestToCreateHostConfig(t *testing.T) {
	req := createFrom(t, `{"Image": "busybox", "HostConfig": {
		"Ulimits": [{"Name": "nofile", "Soft": 100, "Hard": 200}, null],
		"Sysctls": {"net.ipv4.ip_forward": "1"},
		"Devices": [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/nul2", "CgroupPermissions": "rwm"}],
		"GroupAdd": ["audio", "1234"], "PidMode": "host", "IpcMode": "shareable", "UTSMode": "host",
		"ShmSize": 1048576, "LogConfig": {"Type": "local", "Config": {"max-file": "4"}}
	}}`)
	got, _, err := toCreate("", req)
	if err != nil {
		t.Fatal(err)
	}
	want := api.ContainerCreate{
		Image:    "busybox",
		Ulimits:  []api.Ulimit{{Name: "nofile", Soft: 100, Hard: 200}},
		Sysctls:  map[string]string{"net.ipv4.ip_forward": "1"},
		Devices:  []api.DeviceMapping{{PathOnHost: "/dev/null", PathInContainer: "/dev/nul2", CgroupPermissions: "rwm"}},
		GroupAdd: []string{"audio", "1234"}, PidMode: "host", IpcMode: "shareable", UTSMode: "host",
		ShmSize: 1 << 20, LogDriver: "local", Log: api.LogOpts{MaxFiles: 4},
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("toCreate:\n got %s\nwant %s", gj, wj)
	}

	back := inspectOf(api.ContainerInspect{Config: got}).HostConfig
	if len(back.Ulimits) != 1 || *back.Ulimits[0] != (container.Ulimit{Name: "nofile", Soft: 100, Hard: 200}) {
		t.Errorf("inspect Ulimits: %v", back.Ulimits)
	}
	if back.LogConfig.Type != "local" || back.LogConfig.Config["max-file"] != "4" {
		t.Errorf("inspect LogConfig: %+v", back.LogConfig)
	}
	if back.PidMode != "host" || back.IpcMode != "shareable" || back.UTSMode != "host" || back.ShmSize != 1<<20 {
		t.Errorf("inspect modes: pid %q ipc %q uts %q shm %d", back.PidMode, back.IpcMode, back.UTSMode, back.ShmSize)
	}
	if len(back.Devices) != 1 || back.Devices[0].PathInContainer != "/dev/nul2" || back.Sysctls["net.ipv4.ip_forward"] != "1" ||
		!slices.Equal(back.GroupAdd, []string{"audio", "1234"}) {
		t.Errorf("inspect devices, sysctls, groups: %+v %v %v", back.Devices, back.Sysctls, back.GroupAdd)
	}

	// Nothing asked: Docker's defaults are shown.
	none := inspectOf(api.ContainerInspect{}).HostConfig
	if none.LogConfig.Type != "json-file" || none.IpcMode != "private" || none.ShmSize != 64<<20 {
		t.Errorf("inspect defaults: log %q ipc %q shm %d", none.LogConfig.Type, none.IpcMode, none.ShmSize)
	}
	if got, _, err := toCreate("", createFrom(t, `{"Image": "b", "HostConfig": {"LogConfig": {"Type": "none"}}}`)); err != nil || got.LogDriver != "none" {
		t.Errorf("log driver none: %q %v", got.LogDriver, err)
	}
}
