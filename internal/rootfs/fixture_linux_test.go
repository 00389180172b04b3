package rootfs

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(tb, "needs root: mounts in new namespaces")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		testutil.Missing(tb, "needs /bin/busybox (Debian busybox-static) for the rootfs fixture")
	}
}

// publicDir returns a new directory every user may traverse (mode 0755),
// unlike t.TempDir: a process in a user namespace maps to an unprivileged
// host uid and must reach the rootfs and the test binary. It is removed at
// the end of the test, unless something is still mounted under it.
func publicDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "rootfs-test-")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if left := hostMountsUnder(tb, dir); len(left) > 0 {
			tb.Errorf("mounts left under %s, not removing it: %v", dir, left)
			return
		}
		os.RemoveAll(dir)
	})
	return dir
}

// busyboxRootfs builds a minimal rootfs at dir: busybox with the applets
// sh, cat, ls, stat, mount and test, and the usual mount points.
func busyboxRootfs(tb testing.TB, dir string) string {
	tb.Helper()
	for _, d := range []string{"bin", "proc", "sys", "dev", "etc", "tmp", "mnt"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	copyFile(tb, "/bin/busybox", filepath.Join(dir, "bin/busybox"), 0o755)
	out, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		tb.Fatalf("busybox --list: %v", err)
	}
	applets := strings.Fields(string(out))
	for _, a := range []string{"sh", "cat", "ls", "stat", "mount", "test"} {
		if !slices.Contains(applets, a) {
			tb.Fatalf("busybox has no %s applet", a)
		}
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", a)); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func copyFile(tb testing.TB, src, dst string, mode os.FileMode) {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// dockerSpec is the spec a Docker-like engine gives a busybox container:
// default mounts, masked and read-only paths, and a read-only root.
func dockerSpec() *specs.Spec {
	return &specs.Spec{
		Root:   &specs.Root{Path: "rootfs", Readonly: true},
		Mounts: DefaultMounts(),
		Linux: &specs.Linux{
			MaskedPaths:   DockerMaskedPaths(),
			ReadonlyPaths: DockerReadonlyPaths(),
		},
	}
}

// child describes a run of the test binary as a container's init.
type child struct {
	scenario string
	rootfs   string
	spec     *specs.Spec
	probes   []probe
	// userns runs the child in a user namespace, root mapped to host
	// uid/gid 100000 (65536 ids). binary is then a copy of the test
	// binary the mapped user can execute.
	userns bool
	binary string
}

// run starts the child in new mount, pid, uts and ipc namespaces and
// returns its report.
func (c child) run(tb testing.TB) childReport {
	tb.Helper()
	specJSON, err := json.Marshal(c.spec)
	if err != nil {
		tb.Fatal(err)
	}
	probesJSON, err := json.Marshal(c.probes)
	if err != nil {
		tb.Fatal(err)
	}
	bin := os.Args[0]
	if c.binary != "" {
		bin = c.binary
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(),
		envChild+"="+c.scenario,
		envRootfs+"="+c.rootfs,
		envSpec+"="+string(specJSON),
		envProbes+"="+string(probesJSON),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC,
		Pdeathsig:  syscall.SIGKILL,
	}
	if c.userns {
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}}
		// Become root of the namespace before exec: an unmapped uid gets
		// no capabilities there when the binary starts.
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
	}
	if err := cmd.Run(); err != nil {
		tb.Fatalf("child %s: %v\nstderr:\n%s", c.scenario, err, stderr.String())
	}
	var rep childReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		tb.Fatalf("child %s report: %v\nstdout:\n%s\nstderr:\n%s", c.scenario, err, stdout.String(), stderr.String())
	}
	return rep
}

// hostMountsUnder lists the host's mount points at or under any of paths.
func hostMountsUnder(tb testing.TB, paths ...string) []string {
	tb.Helper()
	mounts, err := mountinfo.GetMounts(nil)
	if err != nil {
		tb.Fatal(err)
	}
	var found []string
	for _, m := range mounts {
		for _, p := range paths {
			if m.Mountpoint == p || strings.HasPrefix(m.Mountpoint, p+"/") {
				found = append(found, m.Mountpoint+" ("+m.FSType+")")
			}
		}
	}
	return found
}

// watchHostMounts records the host's mounts at "/", /proc, /dev, /sys,
// /etc and /tmp, and at or under each of dirs (the test's own
// directories), and checks at the end of the test that they are the same:
// every mount must have stayed in the child's mount namespace. (Mounts
// elsewhere are left out: other tests may be mounting concurrently.)
func watchHostMounts(tb testing.TB, dirs ...string) {
	tb.Helper()
	snapshot := func() []string {
		mounts := hostMountsUnder(tb, dirs...)
		all, err := mountinfo.GetMounts(nil)
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range all {
			if slices.Contains([]string{"/", "/proc", "/dev", "/sys", "/etc", "/tmp"}, m.Mountpoint) {
				mounts = append(mounts, m.Mountpoint+" ("+m.FSType+")")
			}
		}
		return mounts
	}
	before := snapshot()
	tb.Cleanup(func() {
		if after := snapshot(); !slices.Equal(before, after) {
			tb.Errorf("host mounts changed:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// probeOf returns the result of the probe op on path.
func probeOf(tb testing.TB, rep childReport, op, path string) probeResult {
	tb.Helper()
	for _, p := range rep.Probes {
		if p.Op == op && p.Path == path {
			return p
		}
	}
	tb.Fatalf("no %s probe of %s in the report", op, path)
	return probeResult{}
}

// mountAt returns the top mount at mountpoint inside the container.
func mountAt(rep childReport, mountpoint string) (mountRecord, bool) {
	var found mountRecord
	ok := false
	for _, m := range rep.Mounts {
		if m.Mountpoint == mountpoint {
			found, ok = m, true
		}
	}
	return found, ok
}

// hasOption reports whether the comma-separated list opts has o.
func hasOption(opts, o string) bool { return slices.Contains(strings.Split(opts, ","), o) }
