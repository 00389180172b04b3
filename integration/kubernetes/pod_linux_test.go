package kubernetes

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// webPort is where the pod's server container listens.
const webPort = 8080

// TestPod runs a pod through the CRI as the kubelet would, once with the
// default handler and once with a RuntimeClass handler (crictl runp
// --runtime, the runtime_handler a RuntimeClass names), both our binary:
// two containers sharing the pod's network, sync, streaming and terminal
// exec, logs, the server reached from the host at the pod's IP, then stop
// and remove, with nothing left behind.
func TestPod(t *testing.T) {
	c := startCRI(t, "")
	for _, tc := range []struct{ name, handler string }{
		{"default handler", ""},
		{"RuntimeClass handler", handlerCRT},
	} {
		t.Run(tc.name, func(t *testing.T) { testPod(t, c, tc.handler) })
	}
}

func testPod(t *testing.T, c *cri, handler string) {
	name := "web-" + handler
	if handler == "" {
		name = "web-default"
	}
	mounts := readMounts(t)
	netns := listNetns(t)
	podJSON := c.writeJSON(t, name+"-pod.json", map[string]any{
		"metadata":      map[string]any{"name": name, "namespace": "crt-test", "uid": name + "-uid"},
		"hostname":      name,
		"log_directory": filepath.Join(c.dir, "logs", name),
		"linux":         map[string]any{"cgroup_parent": "/" + c.cgroupParent},
	})
	runp := []string{"runp"}
	if handler != "" {
		runp = append(runp, "--runtime", handler)
	}
	pod := c.ok(t, append(runp, podJSON)...)
	t.Cleanup(func() { c.run(t, "rmp", "--force", pod) })

	// The sandbox and its containers run under the handler's binary: its
	// state directory (the shim's --root) holds them, as our runtime's
	// `state` reports.
	want := handler
	if want == "" {
		want = handlerDefault
	}
	c.assertOurs(t, want, pod)

	server := c.container(t, pod, podJSON, "server", []string{"/bin/sh", "-c",
		fmt.Sprintf("mkdir -p /www && echo served-by-pod > /www/index.html && echo server-starting && exec httpd -f -p %d -h /www", webPort)})
	client := c.container(t, pod, podJSON, "client", []string{"/bin/sleep", "86400"})
	c.assertOurs(t, want, server)
	c.assertOurs(t, want, client)

	t.Run("shared network", func(t *testing.T) {
		url := fmt.Sprintf("http://127.0.0.1:%d/", webPort)
		var r command.Result
		ok := testutil.Eventually(30*time.Second, func() bool {
			r = c.run(t, "exec", "--sync", client, "wget", "-q", "-O", "-", url)
			return r.Code == 0
		})
		if !ok || strings.TrimSpace(r.Stdout) != "served-by-pod" {
			t.Errorf("client fetching %s over the pod's loopback: want served-by-pod, got %v", url, r)
		}
	})

	t.Run("exec", func(t *testing.T) {
		if out := c.ok(t, "exec", "--sync", client, "sh", "-c", "echo sync-$((6*7))"); out != "sync-42" {
			t.Errorf("exec --sync: %q, want sync-42", out)
		}
		// crictl exits 1 and names the command's exit code.
		if r := c.run(t, "exec", "--sync", client, "sh", "-c", "exit 3"); r.Code == 0 || !strings.Contains(r.Stderr, "exited with 3") {
			t.Errorf("exec --sync of exit 3: want a failure saying it exited with 3, got %v", r)
		}
		// Streaming: the CRI's stream server relays stdin and stdout.
		cmd := exec.Command(c.crictl, "--config", c.config, "exec", "-i", client, "sh", "-c", "read x; echo got-$x")
		cmd.Stdin = strings.NewReader("streamed\n")
		if r := command.RunCmd(t, cmd); r.Code != 0 || strings.TrimSpace(r.Stdout) != "got-streamed" {
			t.Errorf("streaming exec -i: want got-streamed, got %v", r)
		}
		out, code := runOnPty(t, []string{c.crictl, "--config", c.config, "exec", "-it", client, "sh"}, "tty; echo hi$((6*7)); exit\n")
		if code != 0 || !strings.Contains(out, "/dev/pts/") || !strings.Contains(out, "hi42") {
			t.Errorf("exec -it: exit %d, want 0, a /dev/pts/ tty and hi42:\n%q", code, out)
		}
	})

	t.Run("logs", func(t *testing.T) {
		if out := c.ok(t, "logs", server); !strings.Contains(out, "server-starting") {
			t.Errorf("crictl logs %s: %q, want server-starting", server, out)
		}
	})

	t.Run("port from the host", func(t *testing.T) {
		ip := c.podIP(t, pod)
		if !c.network.subnet.Contains(net.ParseIP(ip)) {
			t.Fatalf("pod IP %s is not in the test's subnet %s", ip, c.network.subnet)
		}
		url := fmt.Sprintf("http://%s/", net.JoinHostPort(ip, fmt.Sprint(webPort)))
		body, err := httpGet(url)
		if err != nil || strings.TrimSpace(body) != "served-by-pod" {
			t.Errorf("GET %s from the host: %q, %v; want served-by-pod", url, body, err)
		}
	})

	t.Run("stop and remove", func(t *testing.T) {
		for _, id := range []string{server, client} {
			c.ok(t, "stop", "--timeout", "5", id)
			if state := c.containerState(t, id); state != "CONTAINER_EXITED" {
				t.Errorf("container %s after stop: %s, want CONTAINER_EXITED", id, state)
			}
			c.ok(t, "rm", id)
		}
		c.ok(t, "stopp", pod)
		c.ok(t, "rmp", pod)
		if out := c.ok(t, "ps", "--all", "--quiet"); out != "" {
			t.Errorf("containers left: %s", out)
		}
		if out := c.ok(t, "pods", "--quiet"); out != "" {
			t.Errorf("pods left: %s", out)
		}
		if entries, _ := os.ReadDir(c.handlerRoot(want)); len(entries) > 0 {
			t.Errorf("%s's state still holds %v", want, entries)
		}
		if now := listNetns(t); now != netns {
			t.Errorf("network namespaces changed:\nbefore: %s\nafter: %s", netns, now)
		}
		assertNoNewMounts(t, mounts)
		if left := host.Cgroups(filepath.Join(c.cgroupParent, pod)); len(left) > 0 {
			t.Errorf("the pod's cgroups are left: %v", left)
		}
	})
}

// container creates and starts a container named name in pod, and returns
// its ID once running.
func (c *cri) container(t *testing.T, pod, podJSON, name string, cmd []string) string {
	t.Helper()
	ctrJSON := c.writeJSON(t, pod[:12]+"-"+name+".json", map[string]any{
		"metadata": map[string]any{"name": name},
		"image":    map[string]any{"image": busyboxImage},
		"command":  cmd,
		"log_path": name + ".log",
		"linux":    map[string]any{},
	})
	id := c.ok(t, "create", pod, ctrJSON, podJSON)
	c.ok(t, "start", id)
	if state := c.containerState(t, id); state != "CONTAINER_RUNNING" {
		t.Fatalf("container %s after start: %s, want CONTAINER_RUNNING", name, state)
	}
	return id
}

// assertOurs checks that the runtime state of handler's binary holds id
// as running: the shim ran the binary with that --root. For our handlers
// our binary's own `state` must read it.
func (c *cri) assertOurs(t *testing.T, handler, id string) {
	t.Helper()
	root := c.handlerRoot(handler)
	if handler == handlerRunc {
		if _, err := os.Stat(filepath.Join(root, id)); err != nil {
			t.Errorf("runc's state for %s: %v", id, err)
		}
		return
	}
	r := command.Run(t, c.oci, "--root", root, "state", id)
	var state struct{ ID, Status string }
	if r.Code != 0 || json.Unmarshal([]byte(r.Stdout), &state) != nil || state.ID != id || state.Status != "running" {
		t.Errorf("container-runtime-oci --root %s state %s: want it running, got %v", root, id, r)
	}
}

// containerState returns the CRI state of container id.
func (c *cri) containerState(t testing.TB, id string) string {
	t.Helper()
	var v struct {
		Status struct{ State string } `json:"status"`
	}
	if err := json.Unmarshal([]byte(c.ok(t, "inspect", "--output", "json", id)), &v); err != nil {
		t.Fatalf("crictl inspect %s: %v", id, err)
	}
	return v.Status.State
}

// podIP returns the IP of pod's network.
func (c *cri) podIP(t testing.TB, pod string) string {
	t.Helper()
	var v struct {
		Status struct {
			Network struct{ IP string } `json:"network"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(c.ok(t, "inspectp", "--output", "json", pod)), &v); err != nil {
		t.Fatalf("crictl inspectp %s: %v", pod, err)
	}
	return v.Status.Network.IP
}

// writeJSON writes v as JSON to name in the test's directory and returns
// the path.
func (c *cri) writeJSON(t testing.TB, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// httpGet fetches url with a bound and returns the body.
func httpGet(url string) (string, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("status %s", resp.Status)
	}
	return string(b), err
}
