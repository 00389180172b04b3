package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// buildDaemon compiles this command into dir.
func buildDaemon(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "container-runtimed")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("building the daemon: %v\n%s", err, out)
	}
	return bin
}

// waitForSocket polls until the daemon answers /v1/_ping or exits.
func waitForSocket(t testing.TB, client *http.Client, exited <-chan struct{}, stderr *bytes.Buffer) {
	t.Helper()
	for {
		resp, err := client.Get("http://daemon/v1/_ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("the daemon exited before answering:\n%s", stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestDaemonServesAndStops(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: the daemon opens the runtime and image store")
	}
	tmp, err := os.MkdirTemp("", "crd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	bin := buildDaemon(t, tmp)
	root, execRoot := filepath.Join(tmp, "root"), filepath.Join(tmp, "run")
	socket := filepath.Join(execRoot, "d.sock")
	pidfile := filepath.Join(tmp, "d.pid")

	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--root", root, "--exec-root", execRoot, "--socket", socket, "--pidfile", pidfile, "--log-level", "debug",
		"--bridge-name", testBridge, "--bridge-subnet", "10.198.0.0/24", "--nft-table", testTable)
	t.Cleanup(func() { removeTestNetwork(t) })
	cmd.Stderr = &stderr
	cmd.Dir = tmp
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})

	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}}
	waitForSocket(t, client, exited, &stderr)

	var v api.VersionInfo
	getJSON(t, client, "/v1/version", &v)
	if v.APIVersion != api.Version || v.RuntimeSpec == "" {
		t.Fatalf("version %+v", v)
	}
	// The HTTP layer imports no engine package: main tells it the cgroup
	// layout.
	var info api.Info
	getJSON(t, client, "/v1/info", &info)
	if want := cgroup.Mode().String(); info.CgroupLayout == "" || info.CgroupLayout != want {
		t.Fatalf("info's cgroup layout %q, want %q", info.CgroupLayout, want)
	}
	var images []api.ImageSummary
	getJSON(t, client, "/v1/images", &images)
	if images == nil || len(images) != 0 {
		t.Fatalf("images of a fresh root: %+v, want []", images)
	}
	if pid, err := os.ReadFile(pidfile); err != nil || strings.TrimSpace(string(pid)) != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("pidfile %q, %v; want %d", pid, err, cmd.Process.Pid)
	}
	if _, err := os.Stat(filepath.Join(root, "metadata.db")); err != nil {
		t.Fatalf("the image store is not under --root: %v", err)
	}

	// A second daemon on the same socket refuses to start, and says why.
	second := exec.Command(bin, "--root", filepath.Join(tmp, "root2"), "--exec-root", execRoot, "--socket", socket)
	out, err := second.CombinedOutput()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 || !strings.Contains(string(out), "another container-runtimed") {
		t.Fatalf("second daemon: %v\n%s", err, out)
	}
	// ... and the first still serves.
	getJSON(t, client, "/v1/version", &v)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-exited
	if waitErr != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", waitErr, stderr.String())
	}
	for _, p := range []string{socket, pidfile} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there after exit: %v", p, err)
		}
	}
	if log := stderr.String(); !strings.Contains(log, "msg=request") || !strings.Contains(log, "shutting down") {
		t.Errorf("daemon log lacks the request log or the shutdown:\n%s", log)
	}
}

// The test daemon's bridge and nftables table, not an installed daemon's.
const (
	testBridge = "crtdt0"
	testTable  = "crt-daemontest"
)

// removeTestNetwork removes what the test daemon's network manager made
// in the kernel (it leaves them for the next daemon on purpose).
func removeTestNetwork(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("ip", "link", "del", testBridge).CombinedOutput(); err != nil && !strings.Contains(string(out), "Cannot find device") {
		t.Errorf("removing the bridge: %v: %s", err, out)
	}
	if out, err := exec.Command("nft", "delete", "table", "ip", testTable).CombinedOutput(); err != nil && !strings.Contains(string(out), "No such file") {
		t.Errorf("removing the nftables table: %v: %s", err, out)
	}
}

func getJSON(t testing.TB, client *http.Client, path string, v any) {
	t.Helper()
	resp, err := client.Get("http://daemon" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func TestVersionFlag(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, &out, &out); code != 0 || !strings.Contains(out.String(), "container-runtimed") {
		t.Fatalf("exit %d, output %q", code, out.String())
	}
}
