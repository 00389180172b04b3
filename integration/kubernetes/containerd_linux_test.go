package kubernetes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// The runtime handlers of the private containerd. The default one and crt
// run container-runtime-oci; runc runs the host's runc, as the baseline.
const (
	handlerDefault = "container-runtime"
	handlerCRT     = "crt"
	handlerRunc    = "runc"
)

// cri is a private containerd with its CRI plugin, and crictl set up to
// reach it.
type cri struct {
	dir     string // everything of the daemon lives here
	socket  string
	oci     string // container-runtime-oci
	crictl  string
	config  string // crictl's config file
	ctr     string
	cmd     *exec.Cmd
	log     string
	done    chan struct{}
	network *cniNetwork
	// cgroupParent holds the pods' cgroups: /<cgroupParent>/<id>.
	cgroupParent string
	// registryHosts is the CRI's registry configuration directory: every
	// registry a pull may name is served from 127.0.0.1 (see
	// writeRegistryHosts).
	registryHosts string
}

// publicRegistries are the registries that image names in crictl and
// critest name; their pulls go to the test's registry instead.
var publicRegistries = []string{"docker.io", "registry.k8s.io", "k8s.gcr.io", "gcr.io", "quay.io"}

// writeRegistryHosts makes the CRI pull every image of publicRegistries,
// and of registry itself, from registry (a plain-HTTP registry on
// 127.0.0.1), or, when registry is "", from a closed port on 127.0.0.1:
// no pull ever leaves the machine, and a missing image fails at once.
// A hosts.toml that names its hosts has no fallback to the real host.
func (c *cri) writeRegistryHosts(t testing.TB, registry string) {
	t.Helper()
	c.registryHosts = filepath.Join(c.dir, "certs.d")
	server := "http://127.0.0.1:1"
	hosts := publicRegistries
	if registry != "" {
		server = "http://" + registry
		hosts = append(slices.Clone(hosts), registry)
	}
	for _, h := range hosts {
		dir := filepath.Join(c.registryHosts, h)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		// containerd 1.6 ignores a lone server line and goes to the
		// real host; the host table makes it use server only.
		hostsToml := fmt.Sprintf("server = %q\n\n[host.%q]\n  capabilities = [\"pull\", \"resolve\"]\n", server, server)
		if err := os.WriteFile(filepath.Join(dir, "hosts.toml"), []byte(hostsToml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// handlerRoot is the state directory the runc shim passes as --root to
// the binary of handler, for the CRI's containerd namespace.
func (c *cri) handlerRoot(handler string) string {
	return filepath.Join(c.dir, "runtime-root-"+handler, "k8s.io")
}

// containerdConfig is the config (version 2, containerd 1.6) of the
// private containerd: its own root, state and sockets, the CRI plugin's
// handlers, CNI and sandbox image.
func (c *cri) containerdConfig(runc string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `version = 2
root = %q
state = %q

[grpc]
  address = %q

[ttrpc]
  address = %q

[plugins."io.containerd.internal.v1.opt"]
  path = %q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  restrict_oom_score_adj = %t
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = %q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = %q
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = %q
`, filepath.Join(c.dir, "root"), filepath.Join(c.dir, "state"), c.socket, c.socket+".ttrpc",
		filepath.Join(c.dir, "opt"), busyboxImage, !canLowerOOMScore(), cniBinDir, c.network.confDir, handlerDefault, c.registryHosts)
	for _, h := range []struct{ name, binary string }{
		{handlerDefault, c.oci}, {handlerCRT, c.oci}, {handlerRunc, runc},
	} {
		section := `plugins."io.containerd.grpc.v1.cri".containerd.runtimes.` + h.name
		fmt.Fprintf(&b, `    [%s]
      runtime_type = "io.containerd.runc.v2"
      [%s.options]
        BinaryName = %q
        Root = %q
`, section, section, h.binary, filepath.Dir(c.handlerRoot(h.name)))
	}
	return b.String()
}

// canLowerOOMScore reports whether this process may lower its
// oom_score_adj, which needs CAP_SYS_RESOURCE. Some hosts (this VM) deny
// that capability even to root; the CRI's sandboxes ask for -998 and
// every runtime (runc too) fails to create them there unless
// restrict_oom_score_adj clamps the value to containerd's own.
func canLowerOOMScore() bool {
	var hdr = unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[unix.CAP_SYS_RESOURCE/32].Effective&(1<<(unix.CAP_SYS_RESOURCE%32)) != 0
}

// startCRI starts a private containerd with the CRI plugin, a CNI bridge,
// and the busybox image imported (registry, when not "", is a plain-HTTP
// registry on 127.0.0.1 it may pull from), and registers the cleanup of all of
// it: pods removed, containerd stopped by its PID, then the network, the
// cgroups, mounts and paths it made on the host.
func startCRI(t *testing.T, registry string) *cri {
	t.Helper()
	testutil.RequireRoot(t)
	bin := testutil.RequireTool(t, "containerd")
	testutil.RequireTool(t, "containerd-shim-runc-v2")
	runc := testutil.RequireTool(t, "runc")
	dir := t.TempDir()
	c := &cri{
		dir: dir, socket: filepath.Join(dir, "containerd.sock"),
		oci: command.OCIRuntime(t), crictl: criTool(t, "crictl"), ctr: testutil.RequireTool(t, "ctr"),
		cgroupParent: fmt.Sprintf("crt-k8s-%d", os.Getpid()),
	}
	c.writeRegistryHosts(t, registry)
	c.network = newCNINetwork(t, dir) // cleaned up after containerd stopped
	host.CleanupCgroupParent(t, c.cgroupParent)
	hostDirs := host.Existed("/run/containerd", "/run/containerd/s", "/run/containerd/fifo",
		"/run/containerd/io.containerd.grpc.v1.cri", "/run/netns", "/var/run/netns")
	t.Cleanup(func() { host.RemoveNew(hostDirs) })

	configPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(configPath, []byte(c.containerdConfig(runc)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.config = filepath.Join(dir, "crictl.yaml")
	crictlConfig := fmt.Sprintf("runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 60\n", c.socket, c.socket)
	if err := os.WriteFile(c.config, []byte(crictlConfig), 0o644); err != nil {
		t.Fatal(err)
	}

	c.log = filepath.Join(dir, "containerd.log")
	logFile, err := os.Create(c.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	c.cmd = exec.Command(bin, "--config", configPath)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting containerd: %v", err)
	}
	c.done = make(chan struct{})
	go func() {
		_ = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() { c.stop(t) })

	deadline := time.Now().Add(60 * time.Second)
	for command.Run(t, c.crictl, "--config", c.config, "info").Code != 0 {
		select {
		case <-c.done:
			t.Fatalf("containerd exited while starting: %v\n%s", c.cmd.ProcessState, c.logTail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("containerd's CRI did not answer within 60s:\n%s", c.logTail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	command.MustRun(t, c.ctr, "--address", c.socket, "--namespace", "k8s.io", "images", "import", busyboxArchive(t, dir))
	return c
}

// run runs crictl with args and returns what it did.
func (c *cri) run(t testing.TB, args ...string) command.Result {
	t.Helper()
	return command.Run(t, c.crictl, append([]string{"--config", c.config}, args...)...)
}

// ok runs crictl with args, fails the test unless it exits 0, and returns
// its stdout trimmed.
func (c *cri) ok(t testing.TB, args ...string) string {
	t.Helper()
	r := c.run(t, args...)
	if r.Code != 0 {
		t.Fatalf("%v\ncontainerd log:\n%s", r, c.logTail())
	}
	return strings.TrimSpace(r.Stdout)
}

// stop removes every pod a failed test left (so that no shim outlives
// containerd), ends containerd by its PID, and detaches whatever it left
// mounted under its directory.
func (c *cri) stop(t testing.TB) {
	t.Helper()
	if pods := c.run(t, "pods", "--quiet"); strings.TrimSpace(pods.Stdout) != "" {
		t.Errorf("pods left at the end: %s", pods.Stdout)
		c.run(t, "rmp", "--force", "--all")
	}
	select {
	case <-c.done:
		t.Errorf("containerd exited before the test stopped it: %v\n%s", c.cmd.ProcessState, c.logTail())
	default:
		_ = unix.Kill(c.cmd.Process.Pid, unix.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			t.Errorf("containerd (pid %d) did not exit 30s after SIGTERM; killing it", c.cmd.Process.Pid)
			_ = unix.Kill(c.cmd.Process.Pid, unix.SIGKILL)
			<-c.done
		}
	}
	if err := host.UnmountUnder(c.dir); err != nil {
		t.Errorf("unmounting what containerd left under %s: %v", c.dir, err)
	}
}

// logTail returns the end of containerd's log, for failure reports.
func (c *cri) logTail() string {
	b, err := os.ReadFile(c.log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}
