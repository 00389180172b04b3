package dockercli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// apiClient sends raw Docker Engine API requests to the daemon's socket.
type apiClient struct {
	t    *testing.T
	http *http.Client
}

func newAPIClient(t *testing.T, socket string) *apiClient {
	return &apiClient{t: t, http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}}
}

// do sends one request and returns the status, the headers and the body.
func (c *apiClient) do(method, path, body string) (int, http.Header, string) {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://docker"+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// message is the message of a Docker error body, failing the test when
// the body is not one.
func message(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Message == "" {
		t.Fatalf("not a Docker error body: %q", body)
	}
	return e.Message
}

// TestAPIVersionNegotiation: /_ping (GET and HEAD) and its headers, the
// versions refused, unknown routes named as not implemented.
func TestAPIVersionNegotiation(t *testing.T) {
	c := newCLI(t)
	api := newAPIClient(t, c.d.Socket)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		status, hdr, body := api.do(method, "/_ping", "")
		if status != http.StatusOK || hdr.Get("Api-Version") != "1.57" || hdr.Get("Ostype") != "linux" ||
			hdr.Get("Docker-Experimental") != "false" || hdr.Get("Builder-Version") != "1" {
			t.Errorf("%s /_ping: %d %v", method, status, hdr)
		}
		if want := map[string]string{http.MethodGet: "OK", http.MethodHead: ""}[method]; body != want {
			t.Errorf("%s /_ping body %q, want %q", method, body, want)
		}
	}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/v1.41/version", http.StatusOK, `"ApiVersion":"1.57"`},
		{"/version", http.StatusOK, `"MinAPIVersion":"1.41"`},
		{"/v1.40/version", http.StatusBadRequest, "client version 1.40 is too old"},
		{"/v1.99/version", http.StatusBadRequest, "client version 1.99 is too new"},
		{"/v1.45/swarm", http.StatusNotFound, "GET /v1.45/swarm is not implemented"},
		{"/v1.45/images/search?term=x", http.StatusNotImplemented, "not supported"},
		{"/v1.45/containers/nosuch/json", http.StatusNotFound, "nosuch"},
	} {
		status, _, body := api.do(http.MethodGet, tc.path, "")
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %s, want %d with %q", tc.path, status, body, tc.status, tc.want)
		}
		if status >= 400 {
			message(t, body)
		}
	}
	// Our own API is still there, and its unknown routes are still ours.
	if status, _, body := api.do(http.MethodGet, "/v1/version", ""); status != http.StatusOK || !strings.Contains(body, `"apiVersion"`) {
		t.Errorf("GET /v1/version: %d %s", status, body)
	}
	if status, _, body := api.do(http.MethodGet, "/v1/nosuch", ""); status != http.StatusNotFound || !strings.Contains(body, "no route") {
		t.Errorf("GET /v1/nosuch: %d %s", status, body)
	}
}

// TestAPIBadInput: malformed JSON, wrong types and options we cannot
// honour get a Docker-shaped 400 naming what is wrong, and nothing is
// created; start and stop that change nothing answer 304 as Docker.
func TestAPIBadInput(t *testing.T) {
	c := newCLI(t)
	api := newAPIClient(t, c.d.Socket)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"malformed", `{"Image": "busybox"`, "malformed JSON"},
		{"not an object", `[1,2]`, "JSON object"},
		{"wrong type", `{"Image": 5}`, `Image"`},
		{"wrong nested type", `{"Image": "busybox", "HostConfig": {"Privileged": "yes"}}`, "Privileged"},
		{"no image", `{"Cmd": ["true"]}`, "Config.Image"},
		{"not a device", `{"Image": "busybox", "HostConfig": {"Devices": [{"PathOnHost": "/etc/passwd", "PathInContainer": "/dev/x", "CgroupPermissions": "rwm"}]}}`, "/etc/passwd"},
		{"device without a host path", `{"Image": "busybox", "HostConfig": {"Devices": [{"PathInContainer": "/dev/x"}]}}`, "HostConfig.Devices[0].PathOnHost"},
		{"device cgroup rule of every device in disguise", `{"Image": "busybox", "HostConfig": {"DeviceCgroupRules": ["a 8:* rmw"]}}`, "invalid device cgroup rule"},
		{"host sysctl", `{"Image": "busybox", "HostConfig": {"Sysctls": {"kernel.core_pattern": "|/tmp/x"}}}`, "kernel.core_pattern"},
		{"net sysctl in the host netns", `{"Image": "busybox", "HostConfig": {"NetworkMode": "host", "Sysctls": {"net.ipv4.ip_forward": "1"}}}`, "net.ipv4.ip_forward"},
		{"bad pid mode", `{"Image": "busybox", "HostConfig": {"PidMode": "bogus"}}`, "bogus"},
		{"bad ipc mode", `{"Image": "busybox", "HostConfig": {"IpcMode": "weird"}}`, "weird"},
		{"ulimit soft above hard", `{"Image": "busybox", "HostConfig": {"Ulimits": [{"Name": "nofile", "Soft": 10, "Hard": 1}]}}`, "soft limit"},
		{"unmasked paths", `{"Image": "busybox", "HostConfig": {"MaskedPaths": []}}`, "HostConfig.MaskedPaths"},
		{"cgroup parent outside the engine's root", `{"Image": "busybox", "HostConfig": {"CgroupParent": "/elsewhere"}}`, "outside the engine's cgroup root"},
		{"volume name that is a path", `{"Image": "busybox", "Cmd": ["true"], "HostConfig": {"Binds": ["..:/data"]}}`, ".."},
		{"volume subpath", `{"Image": "busybox", "HostConfig": {"Mounts": [{"Type": "volume", "Source": "v", "Target": "/v", "VolumeOptions": {"Subpath": "x"}}]}}`, "Subpath"},
		{"log driver", `{"Image": "busybox", "HostConfig": {"LogConfig": {"Type": "syslog"}}}`, "HostConfig.LogConfig.Type"},
		{"bad port", `{"Image": "busybox", "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8000-8010"}]}}}`, "HostPort"},
		{"bad port key", `{"Image": "busybox", "HostConfig": {"PortBindings": {"eighty/tcp": []}}}`, "invalid"},
		{"bad dns", `{"Image": "busybox", "HostConfig": {"Dns": ["not-an-ip"]}}`, "invalid"},
		{"unknown security opt", `{"Image": "busybox", "Cmd": ["true"], "HostConfig": {"SecurityOpt": ["label=type:x"]}}`, "label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := api.do(http.MethodPost, "/v1.47/containers/create", tc.body)
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, body %s; want 400", status, body)
			}
			if msg := message(t, body); !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not name %q", msg, tc.want)
			}
		})
	}
	if got := c.ok(t, "ps", "-a", "-q"); got != "" {
		t.Errorf("refused requests created containers: %q", got)
	}

	status, _, body := api.do(http.MethodPost, "/v1.47/containers/create?name=twice", `{"Image": "busybox", "Cmd": ["sleep", "300"]}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	if status, _, body := api.do(http.MethodPost, "/v1.47/containers/create?name=twice", `{"Image": "busybox", "Cmd": ["true"]}`); status != http.StatusConflict {
		t.Errorf("a second container named twice: %d %s, want 409", status, body)
	}
	if status, _, _ := api.do(http.MethodPost, "/v1.47/containers/twice/stop", ""); status != http.StatusNotModified {
		t.Errorf("stop of a created container: %d, want 304", status)
	}
	if status, _, body := api.do(http.MethodPost, "/v1.47/containers/twice/start", ""); status != http.StatusNoContent {
		t.Errorf("start: %d %s", status, body)
	}
	if status, _, _ := api.do(http.MethodPost, "/v1.47/containers/twice/start", ""); status != http.StatusNotModified {
		t.Errorf("second start: %d, want 304", status)
	}
	if status, _, body := api.do(http.MethodPost, "/v1.47/containers/twice/wait?condition=sometime", ""); status != http.StatusBadRequest {
		t.Errorf("wait with a bad condition: %d %s", status, body)
	}
	if status, _, body := api.do(http.MethodDelete, "/v1.47/containers/twice", ""); status != http.StatusConflict {
		t.Errorf("remove of a running container without force: %d %s, want 409", status, body)
	}
	if status, _, body := api.do(http.MethodDelete, "/v1.47/containers/twice?force=1", ""); status != http.StatusNoContent {
		t.Errorf("remove with force: %d %s", status, body)
	}
	if status, _, body := api.do(http.MethodDelete, "/v1.47/containers/twice", ""); status != http.StatusNotFound {
		t.Errorf("remove of a removed container: %d %s", status, body)
	}
	if strings.Contains(c.d.Log(), "panic") {
		t.Errorf("the daemon logged a panic:\n%s", c.d.Log())
	}
}
