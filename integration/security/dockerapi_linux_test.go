package security

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCVE_2022_0811_DockerAPISysctlInjection guards the host's kernel
// parameters against the sysctls of the Docker Engine API's create
// (HostConfig.Sysctls, which docker run --sysctl, Compose and docker-py
// send). The CVE (CRI-O's "cr8escape"): a sysctl value holding a
// separator ("1+kernel.core_pattern=|/tmp/pwn") smuggled a second, host
// parameter past the check of the first, and core_pattern made the host's
// kernel run the attacker's program as root. The attack sends through
// POST /v1.41/containers/create: host parameters by name, the smuggled
// value, and namespaced keys whose namespace is the host's (NetworkMode
// host, IpcMode host). Each must be refused with Docker's 400 naming
// HostConfig.Sysctls' key, or (the smuggled value, whose key is the
// container's own) fail to start; no container may be left behind, and
// the host's values must be unchanged.
func TestCVE_2022_0811_DockerAPISysctlInjection(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	before := readHostSysctls(t)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", d.Socket)
	}}}
	post := func(t *testing.T, path string, body any) (int, string) {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := client.Post("http://docker"+path, "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	type hostConfig struct {
		Sysctls     map[string]string
		NetworkMode string `json:",omitempty"`
		IpcMode     string `json:",omitempty"`
	}
	for _, a := range []struct {
		name string
		hc   hostConfig
		// smuggled: the key is the container's own; the create may pass,
		// the start must fail.
		smuggled bool
	}{
		{"core_pattern", hostConfig{Sysctls: map[string]string{"kernel.core_pattern": "|/tmp/pwn %p"}}, false},
		{"modprobe", hostConfig{Sysctls: map[string]string{"kernel.modprobe": "/tmp/pwn"}}, false},
		{"net in host netns", hostConfig{Sysctls: map[string]string{"net.ipv4.ip_forward": flip(before["/proc/sys/net/ipv4/ip_forward"])}, NetworkMode: "host"}, false},
		{"ipc in host ipc", hostConfig{Sysctls: map[string]string{"kernel.shmmax": "4096"}, IpcMode: "host"}, false},
		{"walk out of /proc/sys/net", hostConfig{Sysctls: map[string]string{"net.ipv4/../../kernel/core_pattern": "|/tmp/pwn"}}, false},
		{"smuggled second parameter", hostConfig{Sysctls: map[string]string{"kernel.shm_rmid_forced": "1+kernel.core_pattern=|/tmp/pwn"}}, true},
		{"smuggled by newline", hostConfig{Sysctls: map[string]string{"kernel.shm_rmid_forced": "1\nkernel.core_pattern=|/tmp/pwn"}}, true},
	} {
		t.Run(a.name, func(t *testing.T) {
			body := map[string]any{"Image": img, "Cmd": []string{"true"}, "HostConfig": a.hc}
			code, answer := post(t, "/v1.41/containers/create?name=attack", body)
			switch {
			case code == http.StatusBadRequest:
				if !strings.Contains(answer, `"message"`) {
					t.Errorf("the refusal is not Docker's error shape: %s", answer)
				}
			case code == http.StatusCreated && a.smuggled:
				if code, answer := post(t, "/v1.41/containers/attack/start", nil); code < 400 {
					t.Errorf("a container with the smuggled sysctl started (%d %s)", code, answer)
				}
				req, _ := http.NewRequest(http.MethodDelete, "http://docker/v1.41/containers/attack?force=1", nil)
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
				}
			default:
				t.Errorf("create with sysctls %v answered %d %s, want 400", a.hc.Sysctls, code, answer)
			}
		})
	}
	if ids := strings.Fields(d.OK(t, "ps", "-aq")); len(ids) != 0 {
		t.Errorf("the attacks left containers: %v", ids)
	}
	after := readHostSysctls(t)
	for _, p := range hostSysctls {
		if before[p] != after[p] {
			t.Errorf("the host's %s changed: %q -> %q", p, before[p], after[p])
		}
	}
}
