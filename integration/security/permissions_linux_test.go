package security

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
	"github.com/container-runtime/container-runtime/runtime"
)

// exposedDaemon starts a daemon whose temporary directory (the data
// root's parent) is searchable by every user, as /var/lib is: otherwise
// that directory's 0700 would hide what the daemon itself leaves open.
func exposedDaemon(t *testing.T) *daemon.Daemon {
	t.Helper()
	d := daemon.New(t)
	if err := os.Chmod(d.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// setuidContainer runs a busybox container that stays up, with a
// setuid-root copy of busybox at /suid in its root file system, and
// returns its id and that file's path on the host, through the container's
// root file system mount.
func setuidContainer(t *testing.T, d *daemon.Daemon, name string, runFlags ...string) (id, hostPath string) {
	t.Helper()
	img := d.Busybox(t)
	args := append([]string{"run", "-d", "--name", name}, runFlags...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	d.OK(t, "exec", name, "sh", "-c", "cp /bin/busybox /suid && chmod 4755 /suid")
	id = d.Inspect(t, name).ID
	hostPath = filepath.Join(d.Root, "containers", id, "rootfs", "suid")
	// The premise: root sees the setuid file at that host path.
	var st unix.Stat_t
	if err := unix.Stat(hostPath, &st); err != nil || st.Mode&unix.S_ISUID == 0 || st.Uid != 0 && runFlags == nil {
		t.Fatalf("the setuid file at %s: mode %o uid %d, %v; want a setuid file", hostPath, st.Mode, st.Uid, err)
	}
	return id, hostPath
}

// requirePrivate fails the test for each directory others may search or
// list, or its group may list.
func requirePrivate(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if st.Mode&0o067 != 0 {
			t.Errorf("%s: mode %04o; want no access for others and none but search for the group (0700 or 0710)", p, st.Mode&0o7777)
		}
	}
}

// TestCVE_2021_41091_HostUserRunsContainerSetuid guards the
// CVE-2021-41091 class (moby: "/var/lib/docker" subdirectories searchable
// by any host user). A container's root file system is mounted under the
// data root without nosuid, so if every directory above it can be
// searched, an unprivileged host user runs the container's setuid-root
// files as root (and reads the images' files). The attack: a container
// makes a setuid-root copy of busybox; then nobody:nogroup on the host
// stats and executes it through <root>/containers/<id>/rootfs and
// <root>/containers/<id>/upper, reaches the image layers through
// <root>/layers and <root>/l, lists the data root and the runtime's state,
// and reads the databases. Every attempt must be refused with EACCES.
func TestCVE_2021_41091_HostUserRunsContainerSetuid(t *testing.T) {
	d := exposedDaemon(t)
	id, suid := setuidContainer(t, d, "setuid")
	containerDir := filepath.Join(d.Root, "containers", id)
	probes := []probe{
		{op: opStat, path: suid},
		{op: opExec, path: suid},
		{op: opStat, path: filepath.Join(containerDir, "upper", "suid")},
		{op: opExec, path: filepath.Join(containerDir, "upper", "suid")},
		{op: opList, path: filepath.Join(containerDir, "rootfs")},
		{op: opOpen, path: filepath.Join(containerDir, "config.json")},
		{op: opList, path: d.Root},
		{op: opList, path: filepath.Join(d.Root, "containers")},
		{op: opList, path: filepath.Join(d.Root, "layers")},
		{op: opList, path: filepath.Join(d.Root, "l")},
		{op: opList, path: filepath.Join(d.Root, "tmp")},
		{op: opOpen, path: filepath.Join(d.Root, "metadata.db")},
		{op: opOpen, path: filepath.Join(d.Root, "containers.db")},
		{op: opList, path: d.ExecRoot},
		{op: opList, path: filepath.Join(d.ExecRoot, "runtime")},
		{op: opStat, path: filepath.Join(d.ExecRoot, "runtime", id, "state.json")},
		{op: opList, path: filepath.Join(d.ExecRoot, "containers", id)},
	}
	// Every layer of the image, by its directory and by its short link.
	layers, _ := filepath.Glob(filepath.Join(d.Root, "layers", "*", "diff", "bin", "busybox"))
	links, _ := filepath.Glob(filepath.Join(d.Root, "l", "*"))
	if len(layers) == 0 || len(links) == 0 {
		t.Fatalf("found no image layer under %s (layers %q, links %q): the store's layout changed; update the test", d.Root, layers, links)
	}
	for _, p := range append(layers, links...) {
		probes = append(probes, probe{op: opStat, path: p}, probe{op: opExec, path: p})
	}
	runAs(t, nobody, nobody, nil, probes)
	requireDenied(t, "nobody", probes)

	// Each level the daemon makes has the safe mode itself: a test
	// passing only because of a parent would hide a regression.
	requirePrivate(t, d.Root, filepath.Join(d.Root, "containers"), containerDir,
		filepath.Join(d.Root, "layers"), filepath.Join(d.Root, "l"), filepath.Join(d.Root, "tmp"),
		filepath.Join(d.ExecRoot, "runtime"), filepath.Join(d.ExecRoot, "runtime", id),
		filepath.Join(d.ExecRoot, "containers"), filepath.Join(d.ExecRoot, "containers", id))
}

// TestCVE_2021_41091_UsernsContainerStaysPrivate is the same attack on a
// container in a private user namespace: its root (host uid and gid
// 100000) must still reach its root file system, so the directories above
// it let that group search them (0710), never other users.
func TestCVE_2021_41091_UsernsContainerStaysPrivate(t *testing.T) {
	d := exposedDaemon(t)
	id, suid := setuidContainer(t, d, "userns", "--userns", "private")
	if out := d.OK(t, "exec", "userns", "cat", "/proc/self/uid_map"); !strings.Contains(out, "100000") {
		t.Fatalf("the container's uid_map is %q; want the private mapping to 100000", out)
	}
	containerDir := filepath.Join(d.Root, "containers", id)
	probes := []probe{
		{op: opStat, path: suid},
		{op: opExec, path: suid},
		{op: opList, path: d.Root},
		{op: opList, path: containerDir},
	}
	runAs(t, nobody, nobody, nil, probes)
	requireDenied(t, "nobody", probes)
	requirePrivate(t, d.Root, filepath.Join(d.Root, "containers"), containerDir)
}

// TestCVE_2021_41091_StartRepairsAnOpenRoot guards the same class on an
// install made by an older version, whose data root, containers/ and
// containers/<id>/ were 0711: the daemon's start must take that away (and
// say so in its log), and the containers must still run.
func TestCVE_2021_41091_StartRepairsAnOpenRoot(t *testing.T) {
	d := exposedDaemon(t)
	id, suid := setuidContainer(t, d, "old")
	d.OK(t, "stop", "-t", "0", "old")
	d.Shutdown(t)

	containerDir := filepath.Join(d.Root, "containers", id)
	layers, _ := filepath.Glob(filepath.Join(d.Root, "layers", "*"))
	opened := append([]string{d.Root, filepath.Join(d.Root, "containers"), containerDir,
		filepath.Join(d.Root, "l"), filepath.Join(d.ExecRoot, "runtime"), filepath.Join(d.ExecRoot, "containers")}, layers...)
	for i, p := range opened {
		mode := uint32(0o711)
		if i%2 == 1 {
			mode = 0o755
		}
		if err := unix.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}

	d.Start(t)
	requirePrivate(t, opened...)
	if log := d.Log(); !strings.Contains(log, "made it private") || !strings.Contains(log, containerDir) {
		t.Errorf("the daemon's log does not say which directories it made private:\n%s", log)
	}
	// The exec root holds the socket: it stays searchable (not listable).
	var st unix.Stat_t
	if err := unix.Stat(d.ExecRoot, &st); err != nil || st.Mode&0o777 != 0o711 {
		t.Errorf("exec root %s: mode %04o, %v; want 0711 kept for the socket", d.ExecRoot, st.Mode&0o7777, err)
	}

	d.OK(t, "start", "old")
	probes := []probe{{op: opStat, path: suid}, {op: opExec, path: suid}, {op: opList, path: d.Root}}
	runAs(t, nobody, nobody, nil, probes)
	requireDenied(t, "nobody", probes)
}

// TestCVE_2021_41091_OCIStateRootIsPrivate guards the OCI runtime's side
// of the class: its state root (--root, /run/container-runtime-oci by
// default) and each container's state directory name the container's
// root file system and hold its exec fifo; no host user may list or
// search them, even when an older version left the root 0711. The
// attack: nobody lists the state root and reads a container's state.json.
func TestCVE_2021_41091_OCIStateRootIsPrivate(t *testing.T) {
	testutil.RequireRoot(t)
	_, _, oci := daemon.Bins()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "bundle")
	if err := busyboxfs.Create(filepath.Join(bundle, "rootfs")); err != nil {
		testutil.Missing(t, "a busybox root file system: %v", err)
	}
	spec := runtime.DefaultSpec()
	spec.Process.Terminal = false
	spec.Process.Args = []string{"sleep", "1000"}
	spec.Root.Path = "rootfs"
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// An older version's root.
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(state, 0o711); err != nil {
		t.Fatal(err)
	}

	id := "perm-" + strconv.Itoa(os.Getpid())
	// The container inherits create's output: a file, not a pipe that
	// would stay open (and keep Wait waiting) while the container runs.
	out, err := os.Create(filepath.Join(dir, "create.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	create := exec.Command(oci, "--root", state, "create", "--bundle", bundle, id)
	create.Stdout, create.Stderr = out, out
	if err := create.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("container-runtime-oci create: %v\n%s", err, b)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(oci, "--root", state, "delete", "--force", id).CombinedOutput(); err != nil {
			t.Errorf("container-runtime-oci delete: %v\n%s", err, out)
		}
	})
	requirePrivate(t, state, filepath.Join(state, id))
	probes := []probe{
		{op: opList, path: state},
		{op: opList, path: filepath.Join(state, id)},
		{op: opOpen, path: filepath.Join(state, id, "state.json")},
	}
	runAs(t, nobody, nobody, nil, probes)
	requireDenied(t, "nobody", probes)
}
