package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestBindMountsAndDevices covers bind mounts of directories and files
// with flags and propagation, a tmpfs with data, extra devices, a writable
// root, and rshared root propagation.
func TestBindMountsAndDevices(t *testing.T) {
	requireRoot(t)
	base := publicDir(t)
	watchHostMounts(t, base)
	rootfs := busyboxRootfs(t, filepath.Join(base, "rootfs"))
	roDir := filepath.Join(base, "ro-dir")
	rwDir := filepath.Join(base, "rw-dir")
	file := filepath.Join(base, "motd")
	for _, d := range []string{roDir, rwDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(roDir, "data"), []byte("ro data"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}

	fuseMode, fifoMode := os.FileMode(0o600), os.FileMode(0o640)
	uid, gid := uint32(1), uint32(2)
	spec := dockerSpec()
	spec.Root.Readonly = false
	spec.Linux.RootfsPropagation = "rshared"
	spec.Linux.Devices = []specs.LinuxDevice{
		{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229, FileMode: &fuseMode, UID: &uid, GID: &gid},
		{Path: "/dev/sub/fifo", Type: "p", FileMode: &fifoMode},
	}
	spec.Mounts = append(spec.Mounts,
		specs.Mount{Destination: "/mnt/ro", Type: "bind", Source: roDir, Options: []string{"rbind", "ro", "nosuid", "shared"}},
		specs.Mount{Destination: "/data/rw", Type: "none", Source: rwDir, Options: []string{"bind"}},
		specs.Mount{Destination: "/etc/motd", Source: file, Options: []string{"bind", "ro"}},
		specs.Mount{Destination: "/scratch", Type: "tmpfs", Source: "tmpfs", Options: []string{"noexec", "mode=700", "size=1m"}},
	)
	probes := []probe{
		{Op: "read", Path: "/mnt/ro/data"},
		{Op: "create", Path: "/mnt/ro/new"},
		{Op: "create", Path: "/data/rw/new"},
		{Op: "read", Path: "/etc/motd"},
		{Op: "openw", Path: "/etc/motd"},
		{Op: "stat", Path: "/scratch"},
		{Op: "create", Path: "/probe"},
		{Op: "stat", Path: "/dev/fuse"},
		{Op: "stat", Path: "/dev/sub/fifo"},
	}
	rep := child{scenario: "container", rootfs: rootfs, spec: spec, probes: probes}.run(t)
	if rep.Error != "" {
		t.Fatalf("child: %s", rep.Error)
	}
	checkNewMountsInside(t, rep, rootfs)

	if p := probeOf(t, rep, "read", "/mnt/ro/data"); p.Data != "ro data" {
		t.Errorf("/mnt/ro/data: %q (%s)", p.Data, p.Err)
	}
	if p := probeOf(t, rep, "create", "/mnt/ro/new"); p.Errno != "EROFS" {
		t.Errorf("creating in the read-only bind: %q (%s), want EROFS", p.Errno, p.Err)
	}
	if p := probeOf(t, rep, "create", "/data/rw/new"); p.Err != "" {
		t.Errorf("creating in the read-write bind: %s", p.Err)
	}
	if b, err := os.ReadFile(filepath.Join(rwDir, "new")); err != nil || string(b) != "probe" {
		t.Errorf("file created through the bind, seen on the host: %q, %v", b, err)
	}
	if p := probeOf(t, rep, "read", "/etc/motd"); p.Data != "hello" {
		t.Errorf("/etc/motd: %q (%s)", p.Data, p.Err)
	}
	if p := probeOf(t, rep, "openw", "/etc/motd"); p.Errno != "EROFS" {
		t.Errorf("writing the read-only file bind: %q (%s), want EROFS", p.Errno, p.Err)
	}
	if p := probeOf(t, rep, "stat", "/scratch"); p.Type != "dir" || p.Perm != 0o700 {
		t.Errorf("/scratch: %s %#o (%s), want dir 0700", p.Type, p.Perm, p.Err)
	}
	if p := probeOf(t, rep, "create", "/probe"); p.Err != "" {
		t.Errorf("creating in the writable root: %s", p.Err)
	}
	if p := probeOf(t, rep, "stat", "/dev/fuse"); p.Type != "char" || p.Major != 10 || p.Minor != 229 || p.Perm != 0o600 || p.UID != 1 || p.GID != 2 {
		t.Errorf("/dev/fuse: %+v, want char 10:229 0600 1:2", p)
	}
	if p := probeOf(t, rep, "stat", "/dev/sub/fifo"); p.Type != "fifo" || p.Perm != 0o640 {
		t.Errorf("/dev/sub/fifo: %+v, want fifo 0640", p)
	}

	for _, want := range []struct {
		at       string
		opts     []string
		optional string
	}{
		{"/mnt/ro", []string{"ro", "nosuid"}, "shared:"},
		{"/data/rw", []string{"rw"}, ""},
		{"/etc/motd", []string{"ro"}, ""},
		{"/scratch", []string{"rw", "noexec"}, ""},
		{"/", []string{"rw"}, "shared:"},
	} {
		m, ok := mountAt(rep, want.at)
		if !ok {
			t.Errorf("no mount at %s", want.at)
			continue
		}
		for _, o := range want.opts {
			if !hasOption(m.Options, o) {
				t.Errorf("mount at %s has options %q, want %s", want.at, m.Options, o)
			}
		}
		if !strings.Contains(m.Optional, want.optional) {
			t.Errorf("mount at %s has propagation %q, want %q", want.at, m.Optional, want.optional)
		}
	}
	if m, _ := mountAt(rep, "/scratch"); !hasOption(m.VFSOptions, "size=1024k") || !hasOption(m.VFSOptions, "mode=700") {
		t.Errorf("/scratch super options %q, want size=1024k and mode=700", m.VFSOptions)
	}
}
