package rootfs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// defaultProbes look at what every container with dockerSpec must have.
func defaultProbes(hostRootfs string) []probe {
	var ps []probe
	for _, d := range DefaultDevices() {
		ps = append(ps, probe{Op: "stat", Path: d.Path})
	}
	for _, l := range []string{"/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/ptmx", "/dev/core"} {
		ps = append(ps, probe{Op: "readlink", Path: l})
	}
	return append(ps,
		probe{Op: "stat", Path: "/dev/pts/ptmx"},
		probe{Op: "read", Path: "/proc/interrupts"},
		probe{Op: "read", Path: "/proc/keys"},
		probe{Op: "list", Path: "/sys/firmware"},
		probe{Op: "openw", Path: "/proc/sys/kernel/hostname"},
		probe{Op: "stat", Path: "/dev/shm"},
		probe{Op: "openw", Path: "/dev/null"},
		probe{Op: "create", Path: "/probe"},
		probe{Op: "create", Path: "/dev/shm/probe"},
		probe{Op: "create", Path: "/dev/probe"},
		probe{Op: "list", Path: "/sys/fs/cgroup"},
		probe{Op: "list", Path: "/sys/fs/cgroup/memory"},
		probe{Op: "stat", Path: hostRootfs},
		probe{Op: "run", Path: "stat -c '%t:%T %a' /dev/null"},
		probe{Op: "run", Path: "echo probe > /proc/sys/kernel/hostname"},
	)
}

// checkDefaultContainer asserts what defaultProbes must find. In a user
// namespace (userns), sysctls owned by the host's root refuse opening for
// writing with EACCES before the read-only mount is checked (opening with
// O_CREAT, as the shell does, still meets EROFS first), and devpts shows
// its gid as the host sees it.
func checkDefaultContainer(t *testing.T, rep childReport, userns bool) {
	t.Helper()
	roErrno, ptsGid := "EROFS", "gid=5"
	if userns {
		roErrno, ptsGid = "EACCES", "gid=100005"
	}
	for _, d := range DefaultDevices() {
		p := probeOf(t, rep, "stat", d.Path)
		if p.Err != "" || p.Type != "char" || int64(p.Major) != d.Major || int64(p.Minor) != d.Minor || p.Perm != 0o666 {
			t.Errorf("%s: %s %d:%d %#o %s, want char %d:%d 0666", d.Path, p.Type, p.Major, p.Minor, p.Perm, p.Err, d.Major, d.Minor)
		}
	}
	for link, target := range map[string]string{
		"/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0", "/dev/stdout": "/proc/self/fd/1",
		"/dev/stderr": "/proc/self/fd/2", "/dev/ptmx": "pts/ptmx", "/dev/core": "/proc/kcore",
	} {
		if p := probeOf(t, rep, "readlink", link); p.Data != target {
			t.Errorf("%s -> %q (%s), want -> %q", link, p.Data, p.Err, target)
		}
	}
	if p := probeOf(t, rep, "stat", "/dev/pts/ptmx"); p.Type != "char" || p.Major != 5 || p.Minor != 2 {
		t.Errorf("/dev/pts/ptmx: %s %d:%d %s, want char 5:2", p.Type, p.Major, p.Minor, p.Err)
	}
	for _, f := range []string{"/proc/interrupts", "/proc/keys"} {
		if p := probeOf(t, rep, "read", f); p.Err != "" || p.Data != "" {
			t.Errorf("masked %s: read %q (%s), want nothing", f, p.Data, p.Err)
		}
	}
	if p := probeOf(t, rep, "list", "/sys/firmware"); p.Err != "" || len(p.Entries) != 0 {
		t.Errorf("masked /sys/firmware lists %v (%s), want nothing", p.Entries, p.Err)
	}
	if p := probeOf(t, rep, "openw", "/proc/sys/kernel/hostname"); p.Errno != roErrno {
		t.Errorf("writing /proc/sys/kernel/hostname: errno %q (%s), want %s", p.Errno, p.Err, roErrno)
	}
	if p := probeOf(t, rep, "create", "/probe"); p.Errno != "EROFS" {
		t.Errorf("creating /probe in the read-only root: errno %q (%s), want EROFS", p.Errno, p.Err)
	}
	for _, p := range []probeResult{probeOf(t, rep, "openw", "/dev/null"), probeOf(t, rep, "create", "/dev/shm/probe"), probeOf(t, rep, "create", "/dev/probe")} {
		if p.Err != "" {
			t.Errorf("%s %s: %s, want success", p.Op, p.Path, p.Err)
		}
	}
	if p := probeOf(t, rep, "list", "/sys/fs/cgroup"); !slices.Contains(p.Entries, "memory") || !slices.Contains(p.Entries, "cpu") {
		t.Errorf("/sys/fs/cgroup lists %v (%s), want the host's hierarchies", p.Entries, p.Err)
	}
	if p := probeOf(t, rep, "list", "/sys/fs/cgroup/memory"); !slices.Contains(p.Entries, "memory.limit_in_bytes") {
		t.Errorf("/sys/fs/cgroup/memory lists %v (%s), want a memory cgroup", p.Entries, p.Err)
	}
	if p := probeOf(t, rep, "run", "stat -c '%t:%T %a' /dev/null"); strings.TrimSpace(p.Data) != "1:3 666" {
		t.Errorf("busybox stat /dev/null: %q (%s), want 1:3 666", p.Data, p.Err)
	}
	if p := probeOf(t, rep, "run", "echo probe > /proc/sys/kernel/hostname"); !strings.Contains(p.Data, "Read-only file system") {
		t.Errorf("busybox sh writing /proc/sys: %q (%s), want a read-only error", p.Data, p.Err)
	}
	if p := probeOf(t, rep, "stat", "/dev/shm"); p.Type != "dir" || p.Perm != 0o1777 {
		t.Errorf("/dev/shm: %s %#o (%s), want dir 01777", p.Type, p.Perm, p.Err)
	}

	// Only the container's mounts are left: the old root is detached.
	allowed := []string{"/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"}
	allowed = append(allowed, DockerMaskedPaths()...)
	allowed = append(allowed, DockerReadonlyPaths()...)
	for _, m := range rep.Mounts {
		if !slices.Contains(allowed, m.Mountpoint) && !strings.HasPrefix(m.Mountpoint, "/sys/fs/cgroup/") && !strings.HasPrefix(m.Mountpoint, "/dev/") {
			t.Errorf("unexpected mount in the container: %+v", m)
		}
	}
	for _, want := range []struct {
		at, fstype string
		opts       []string
		vfsOpts    []string
	}{
		{"/", "", []string{"ro"}, nil},
		{"/proc", "proc", []string{"nosuid", "nodev", "noexec"}, nil},
		{"/dev", "tmpfs", []string{"rw", "nosuid"}, []string{"mode=755", "size=65536k"}},
		{"/dev/pts", "devpts", []string{"nosuid", "noexec"}, []string{ptsGid, "mode=620", "ptmxmode=666"}},
		{"/dev/shm", "tmpfs", []string{"rw", "nosuid", "nodev", "noexec"}, []string{"size=65536k"}},
		{"/dev/mqueue", "mqueue", []string{"nosuid", "nodev", "noexec"}, nil},
		{"/sys", "", []string{"ro", "nosuid", "nodev", "noexec"}, nil},
		{"/sys/fs/cgroup", "tmpfs", []string{"ro", "nosuid", "nodev", "noexec"}, nil},
		{"/sys/fs/cgroup/memory", "cgroup", []string{"ro", "nosuid", "nodev", "noexec"}, nil},
		{"/sys/fs/cgroup/unified", "cgroup2", []string{"ro"}, nil},
		{"/proc/sys", "proc", []string{"ro", "nosuid", "nodev", "noexec"}, nil},
		{"/proc/interrupts", "", []string{}, nil},
		{"/sys/firmware", "tmpfs", []string{"ro"}, nil},
	} {
		m, ok := mountAt(rep, want.at)
		if !ok {
			t.Errorf("no mount at %s in the container", want.at)
			continue
		}
		if want.fstype != "" && m.FSType != want.fstype {
			t.Errorf("mount at %s is %s, want %s", want.at, m.FSType, want.fstype)
		}
		for _, o := range want.opts {
			if !hasOption(m.Options, o) {
				t.Errorf("mount at %s has options %q, want %s", want.at, m.Options, o)
			}
		}
		for _, o := range want.vfsOpts {
			if !hasOption(m.VFSOptions, o) {
				t.Errorf("mount at %s has super options %q, want %s", want.at, m.VFSOptions, o)
			}
		}
	}
}

// checkNewMountsInside fails when Prepare put a mount outside rootfs.
func checkNewMountsInside(t *testing.T, rep childReport, rootfs string) {
	t.Helper()
	if len(rep.NewMounts) == 0 {
		t.Fatal("Prepare made no mounts")
	}
	for _, m := range rep.NewMounts {
		if m != rootfs && !strings.HasPrefix(m, rootfs+"/") {
			t.Errorf("Prepare mounted at %s, outside rootfs %s", m, rootfs)
		}
	}
}

func TestContainerRootfs(t *testing.T) {
	requireRoot(t)
	base := publicDir(t)
	watchHostMounts(t, base)
	rootfs := busyboxRootfs(t, filepath.Join(base, "rootfs"))

	rep := child{scenario: "container", rootfs: rootfs, spec: dockerSpec(), probes: defaultProbes(rootfs)}.run(t)
	if rep.Error != "" {
		t.Fatalf("child: %s", rep.Error)
	}
	if rep.Pid != 1 {
		t.Errorf("child pid %d, want 1 (new pid namespace)", rep.Pid)
	}
	checkNewMountsInside(t, rep, rootfs)
	checkDefaultContainer(t, rep, false)
	if p := probeOf(t, rep, "stat", rootfs); p.Errno != "ENOENT" {
		t.Errorf("host path %s seen from the container: %+v, want ENOENT (old root detached)", rootfs, p)
	}
	// Nothing written to the image: devices live in the tmpfs /dev.
	if entries, err := os.ReadDir(filepath.Join(rootfs, "dev")); err != nil || len(entries) != 0 {
		t.Errorf("image /dev has %v (%v), want it empty", entries, err)
	}
}
