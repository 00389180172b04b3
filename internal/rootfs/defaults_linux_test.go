package rootfs

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestDockerMaskedPaths(t *testing.T) {
	want := []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
	got := DockerMaskedPaths()
	if !slices.Equal(got, want) {
		t.Fatalf("DockerMaskedPaths() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if DockerMaskedPaths()[0] != want[0] {
		t.Fatal("DockerMaskedPaths returns a shared slice")
	}
}

func TestDockerReadonlyPaths(t *testing.T) {
	want := []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
	got := DockerReadonlyPaths()
	if !slices.Equal(got, want) {
		t.Fatalf("DockerReadonlyPaths() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if DockerReadonlyPaths()[0] != want[0] {
		t.Fatal("DockerReadonlyPaths returns a shared slice")
	}
}

func TestDefaultDevices(t *testing.T) {
	want := map[string][2]int64{
		"/dev/null": {1, 3}, "/dev/zero": {1, 5}, "/dev/full": {1, 7},
		"/dev/random": {1, 8}, "/dev/urandom": {1, 9}, "/dev/tty": {5, 0},
	}
	got := DefaultDevices()
	if len(got) != len(want) {
		t.Fatalf("DefaultDevices() has %d devices, want %d", len(got), len(want))
	}
	for _, d := range got {
		if w, ok := want[d.Path]; !ok || d.Major != w[0] || d.Minor != w[1] || d.Type != "c" {
			t.Errorf("device %s %s %d:%d unexpected", d.Path, d.Type, d.Major, d.Minor)
		}
		if d.FileMode == nil || *d.FileMode != 0o666 {
			t.Errorf("device %s mode %v, want 0666", d.Path, d.FileMode)
		}
		if d.UID == nil || *d.UID != 0 || d.GID == nil || *d.GID != 0 {
			t.Errorf("device %s is not owned by 0:0", d.Path)
		}
	}
	*got[0].FileMode = 0
	if *DefaultDevices()[0].FileMode != 0o666 {
		t.Fatal("DefaultDevices shares its FileMode pointers")
	}
}

func TestDefaultMounts(t *testing.T) {
	mounts := DefaultMounts()
	want := map[string]struct {
		typ   string
		flags uintptr
		data  string
	}{
		"/proc":          {"proc", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV, ""},
		"/dev":           {"tmpfs", unix.MS_NOSUID | unix.MS_STRICTATIME, "mode=755,size=65536k"},
		"/dev/pts":       {"devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
		"/dev/shm":       {"tmpfs", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV, "mode=1777,size=65536k"},
		"/dev/mqueue":    {"mqueue", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV, ""},
		"/sys":           {"sysfs", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV | unix.MS_RDONLY, ""},
		"/sys/fs/cgroup": {"cgroup", unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV | unix.MS_RDONLY, ""},
	}
	if len(mounts) != len(want) {
		t.Fatalf("DefaultMounts() has %d mounts, want %d", len(mounts), len(want))
	}
	for _, m := range mounts {
		w, ok := want[m.Destination]
		if !ok {
			t.Errorf("unexpected mount at %s", m.Destination)
			continue
		}
		opts := parseMountOptions(m.Options)
		if m.Type != w.typ || opts.flags != w.flags || opts.data != w.data {
			t.Errorf("%s: %s flags %s data %q, want %s flags %s data %q",
				m.Destination, m.Type, mountFlags(opts.flags), opts.data, w.typ, mountFlags(w.flags), w.data)
		}
	}
	// /dev must come before the mounts under it.
	if mounts[1].Destination != "/dev" {
		t.Errorf("second mount is %s, want /dev (before /dev/pts, /dev/shm, /dev/mqueue)", mounts[1].Destination)
	}
}

func TestMergeDevices(t *testing.T) {
	fuse := specs.LinuxDevice{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229}
	null := specs.LinuxDevice{Path: "/dev/../dev/null", Type: "c", Major: 1, Minor: 3}
	got := mergeDevices(DefaultDevices(), []specs.LinuxDevice{fuse, null})
	var paths []string
	for _, d := range got {
		paths = append(paths, d.Path)
	}
	want := []string{"/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/fuse", "/dev/../dev/null"}
	if !slices.Equal(paths, want) {
		t.Fatalf("merged paths = %q, want %q", paths, want)
	}
}

func TestLockedFlags(t *testing.T) {
	got := lockedFlags(unix.ST_RDONLY | unix.ST_NOSUID | unix.ST_NODEV | unix.ST_RELATIME)
	want := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_RELATIME)
	if got != want {
		t.Fatalf("lockedFlags = %s, want %s", mountFlags(got), mountFlags(want))
	}
}

func TestHasMount(t *testing.T) {
	spec := &specs.Spec{Mounts: []specs.Mount{
		{Destination: "/dev/", Type: "tmpfs"},
		{Destination: "/host", Type: "none", Options: []string{"rbind"}},
		{Destination: "dev/pts", Type: "devpts"},
	}}
	tests := []struct {
		dest, kind string
		want       bool
	}{
		{"/dev", "tmpfs", true},
		{"/dev", "bind", false},
		{"/host", "bind", true},
		{"/host", "none", false},
		{"/dev/pts", "devpts", true},
		{"/proc", "proc", false},
	}
	for _, tt := range tests {
		if got := hasMount(spec, tt.dest, tt.kind); got != tt.want {
			t.Errorf("hasMount(%s, %s) = %v, want %v", tt.dest, tt.kind, got, tt.want)
		}
	}
}
