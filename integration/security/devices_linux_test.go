package security

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// defaultDevice reports whether a device node may exist in a container
// that Docker's defaults made: null, zero, full, random, urandom, tty,
// the console, ptmx and the pseudo-terminals of its own devpts.
func defaultDevice(typ, majMin string) bool {
	if typ != "c" {
		return false
	}
	switch majMin {
	case "1:3", "1:5", "1:7", "1:8", "1:9", "5:0", "5:1", "5:2":
		return true
	}
	return strings.HasPrefix(majMin, "136:")
}

// TestDevices_DefaultsOnlyAndMknodUseless guards the host's devices: a
// container that can open the host's disk, /dev/mem or /dev/kmsg owns the
// host. Docker gives CAP_MKNOD, so a container may make any device node;
// the device cgroup must keep it from opening one that is not a default.
//
// In run and in exec, /dev holds only Docker's default devices (no
// /dev/mem, no disk), and nodes made with mknod for the host's root disk,
// /dev/mem, /dev/kmsg and sda, in /dev (a tmpfs) and in /tmp (the image's
// file system), cannot be opened. With --privileged, which gives every
// device, the same open of /dev/kmsg succeeds: the check can tell.
func TestDevices_DefaultsOnlyAndMknodUseless(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	dir := buildAttacker(t, "")
	mount := attackerMount(dir)
	var st unix.Stat_t
	if err := unix.Stat("/", &st); err != nil {
		t.Fatal(err)
	}
	hostDisk := []string{"b", fmt.Sprint(unix.Major(st.Dev)), fmt.Sprint(unix.Minor(st.Dev))}
	nodes := map[string][]string{ // path: type, major, minor
		"/dev/crt-sda":  {"b", "8", "0"},
		"/tmp/crt-sda":  {"b", "8", "0"},
		"/dev/crt-mem":  {"c", "1", "1"},
		"/dev/crt-kmsg": {"c", "1", "11"},
	}
	if unix.Major(st.Dev) != 0 { // a real disk, not a virtual file system
		nodes["/dev/crt-root"] = hostDisk
		nodes["/tmp/crt-root"] = hostDisk
	}

	args := append([]string{"run", "-d", "--name", "dev"}, mount...)
	d.OK(t, append(args, img, "sleep", "1000")...)
	for name, prefix := range map[string][]string{
		"run":  append(append([]string{"run", "--rm"}, mount...), img),
		"exec": {"exec", "dev"},
	} {
		t.Run(name, func(t *testing.T) {
			out := d.OK(t, append(prefix, attackerPath, "devices")...)
			devs := attackerLines(out, "dev")
			if len(devs) < 6 {
				t.Errorf("want at least the 6 default devices in /dev:\n%s", out)
			}
			for _, f := range devs {
				if !defaultDevice(f[1], f[2]) {
					t.Errorf("%s (%s %s) exists in the container: not one of Docker's default devices", f[0], f[1], f[2])
				}
			}
			for path, node := range nodes {
				out := d.OK(t, append(append(prefix, attackerPath, "mknod", path), node...)...)
				for _, f := range attackerLines(out, "open") {
					if f[1] == "ok" {
						t.Errorf("a node made with mknod %s %s could be opened: the device cgroup lets the container reach a host device\n%s",
							path, strings.Join(node, " "), out)
					}
				}
				if len(attackerLines(out, "open")) != 1 {
					t.Errorf("mknod %s: no open was tried:\n%s", path, out)
				}
			}
		})
	}
	t.Run("privileged-control", func(t *testing.T) {
		fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			testutil.Missing(t, "the host itself cannot open /dev/kmsg: %v", err)
		}
		unix.Close(fd)
		run := append(append([]string{"run", "--rm", "--privileged"}, mount...), img, attackerPath, "mknod", "/dev/crt-kmsg")
		out := d.OK(t, append(run, nodes["/dev/crt-kmsg"]...)...)
		if open := attackerLines(out, "open"); len(open) != 1 || open[0][1] != "ok" {
			t.Errorf("with --privileged a node for /dev/kmsg did not open: the check cannot tell\n%s", out)
		}
	})
}
