package distribution

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
	"github.com/container-runtime/container-runtime/snapshot"
)

// holderLifetime bounds the mount namespace holder if the test binary dies
// before its cleanup kills it.
const holderLifetime = 20 * time.Minute

// podman runs podman with a state of its own: storage, run root, temporary
// files, network configuration, runc state and configuration files all
// live in dir. Every podman command runs in one private mount namespace
// (held by a sleep we start) where /var/lib and /run are empty tmpfs: the
// host's blob-info cache (/var/lib/containers/cache, which podman 4.3
// writes as root whatever --root says), runc's /run/runc and any
// credentials under /run/containers stay out of reach, and the overlay
// mounts podman makes are never visible on the host.
type podman struct {
	dir          string
	env          []string // the configuration files, TMPDIR
	global       []string // podman's global flags
	cgroupParent string   // relative to each hierarchy
	holder       *exec.Cmd
	done         chan struct{}
}

// startPodman prepares podman's directory and configuration and starts
// the namespace holder.
func startPodman(t *testing.T) *podman {
	t.Helper()
	for _, tool := range []string{"conmon", "runc", "nsenter"} {
		testutil.RequireTool(t, tool)
	}
	podmanBin, unshare := testutil.RequireTool(t, "podman"), testutil.RequireTool(t, "unshare")
	dir := t.TempDir()
	p := &podman{
		dir:          dir,
		cgroupParent: fmt.Sprintf("dist-podman-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6),
		done:         make(chan struct{}),
	}
	for _, d := range []string{"storage", "run", "tmp", "net"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// Empty registries.conf: no search registries, so no short name
	// resolves to the network, and the host's registries.conf.d is not read.
	files := map[string]string{
		"registries.conf": "",
		"storage.conf": fmt.Sprintf("[storage]\ndriver = \"overlay\"\ngraphroot = %q\nrunroot = %q\n",
			filepath.Join(dir, "storage"), filepath.Join(dir, "run")),
		"containers.conf": fmt.Sprintf("[engine]\nimage_copy_tmp_dir = %q\n[network]\nnetwork_config_dir = %q\n",
			filepath.Join(dir, "tmp"), filepath.Join(dir, "net")),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// podman 4.3 ignores REGISTRIES_CONF; CONTAINERS_REGISTRIES_CONF is
	// what containers/image reads. TMPDIR: save stages archives there.
	p.env = []string{
		"CONTAINERS_CONF=" + filepath.Join(dir, "containers.conf"),
		"CONTAINERS_STORAGE_CONF=" + filepath.Join(dir, "storage.conf"),
		"CONTAINERS_REGISTRIES_CONF=" + filepath.Join(dir, "registries.conf"),
		"TMPDIR=" + filepath.Join(dir, "tmp"),
	}
	p.global = []string{podmanBin,
		"--root", filepath.Join(dir, "storage"),
		"--runroot", filepath.Join(dir, "run"),
		"--tmpdir", filepath.Join(dir, "tmp"),
		"--cgroup-manager", "cgroupfs",
		"--events-backend", "none",
		"--storage-driver", "overlay",
		// crun 1.8 refuses this machine's hybrid cgroup layout.
		"--runtime", "runc",
	}
	host.CleanupCgroupParent(t, p.cgroupParent) // after the stop below
	p.startHolder(t, unshare)
	t.Cleanup(func() { p.stop(t) })
	return p
}

// startHolder starts the process whose mount namespace podman runs in, and
// waits until its tmpfs mounts are in place.
func (p *podman) startHolder(t *testing.T, unshare string) {
	t.Helper()
	script := "mount -t tmpfs -o mode=0755 crt-podman-varlib /var/lib && " +
		"mount -t tmpfs -o mode=0755 crt-podman-run /run && " +
		"echo ready && exec sleep " + strconv.Itoa(int(holderLifetime.Seconds()))
	p.holder = exec.Command(unshare, "--mount", "--propagation", "private", "--", "sh", "-c", script)
	stdout, err := p.holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	p.holder.Stderr = &stderr
	if err := p.holder.Start(); err != nil {
		t.Fatalf("starting the namespace holder: %v", err)
	}
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	go func() { _ = p.holder.Wait(); close(p.done) }()
	select {
	case line := <-ready:
		if line != "ready\n" {
			<-p.done
			t.Fatalf("the namespace holder failed: %q %s", line, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = unix.Kill(p.holder.Process.Pid, unix.SIGKILL)
		<-p.done
		t.Fatalf("the namespace holder did not get ready in 30s")
	}
}

// podman runs a podman command in the holder's mount namespace.
func (p *podman) podman(t testing.TB, args ...string) command.Result {
	t.Helper()
	cmd := append([]string{"env"}, p.env...)
	cmd = append(cmd, "nsenter", "--mount=/proc/"+strconv.Itoa(p.holder.Process.Pid)+"/ns/mnt", "--")
	cmd = append(cmd, p.global...)
	return command.Run(t, cmd[0], append(cmd[1:], args...)...)
}

// mustPodman runs a podman command that must succeed; it returns stdout.
func (p *podman) mustPodman(t testing.TB, args ...string) string {
	t.Helper()
	r := p.podman(t, args...)
	if r.Code != 0 {
		t.Fatalf("%v", r)
	}
	return strings.TrimSpace(r.Stdout)
}

// runArgs are the arguments of `podman run` for ref and cmd: no network,
// our cgroup parent, and explicit rlimits: without them podman's runtime
// tries to raise RLIMIT_NOFILE and RLIMIT_NPROC above this machine's hard
// limits (no CAP_SYS_RESOURCE) and refuses to start.
func (p *podman) runArgs(ref string, cmd ...string) []string {
	args := []string{"run", "--rm", "--network", "none", "--cgroup-parent", "/" + p.cgroupParent,
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", ref}
	return append(args, cmd...)
}

// stop removes leftover containers, kills the holder (ours), waits for
// podman's cleanup processes to leave the conmon cgroup, and removes the
// cgroup parent and anything mounted under dir.
func (p *podman) stop(t testing.TB) {
	t.Helper()
	for _, id := range strings.Fields(p.podman(t, "ps", "--all", "--quiet", "--no-trunc").Stdout) {
		t.Errorf("container %s left; removing it", id)
		p.podman(t, "rm", "--force", id)
	}
	_ = unix.Kill(p.holder.Process.Pid, unix.SIGKILL)
	<-p.done
	// conmon runs `podman container cleanup` when a container exits; it
	// may still be at work in podman's directory after `run --rm` returns.
	conmon := filepath.Join(p.cgroupParent, "conmon")
	deadline := time.Now().Add(time.Minute)
	for host.CgroupBusy(conmon) {
		if time.Now().After(deadline) {
			t.Errorf("processes left in cgroup %s after a minute", conmon)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, cg := range host.Cgroups(conmon) {
		if err := unix.Rmdir(cg); err != nil && !errors.Is(err, unix.ENOENT) {
			t.Errorf("removing cgroup %s: %v", cg, err)
		}
	}
	if err := host.UnmountUnder(p.dir); err != nil {
		t.Errorf("%v", err)
	}
}

// ourRun runs args in img with our OCI runtime on a read-only overlay of
// the image's layer directories in s, in a cgroup under cgroupParent, and
// returns what the process printed.
func ourRun(t testing.TB, oci string, s *image.Store, img image.Image, cgroupParent string, args ...string) string {
	t.Helper()
	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	var lowers []string // top first, as OverlayFS orders them
	for i := len(img.Layers) - 1; i >= 0; i-- {
		lowers = append(lowers, s.LayerDir(img.Layers[i]))
	}
	if err := snapshot.Mount(context.Background(), rootfs, lowers, "", ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := snapshot.Unmount(rootfs); err != nil {
			t.Errorf("unmounting %s: %v", rootfs, err)
		}
	})
	if r := command.Run(t, oci, "spec", "--bundle", bundle); r.Code != 0 {
		t.Fatalf("%v", r)
	}
	config := filepath.Join(bundle, "config.json")
	b, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("%s: %v", config, err)
	}
	id := fmt.Sprintf("crt-dist-%d", time.Now().UnixNano()%1e9)
	spec.Process.Terminal = false
	spec.Process.Args = args
	if env := img.Config.Config.Env; len(env) > 0 {
		spec.Process.Env = env
	}
	spec.Root = &specs.Root{Path: "rootfs", Readonly: true}
	spec.Linux.CgroupsPath = "/" + cgroupParent + "/" + id
	if b, err = json.Marshal(&spec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := command.Run(t, oci, "--root", filepath.Join(bundle, "state"), "run", "--bundle", bundle, id)
	if r.Code != 0 {
		t.Fatalf("%v", r)
	}
	return strings.TrimSpace(r.Stdout)
}
