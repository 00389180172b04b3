package security

import (
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// deviceProbe opens each device path for reading and for writing (without
// writing) and makes a second node of another device, reporting
// "PATH read|write ok|denied" lines.
const deviceProbe = `
for p in "$@"; do
	if (exec 3<"$p") 2>/dev/null; then echo "$p read ok"; else echo "$p read denied"; fi
	if (exec 3>"$p") 2>/dev/null; then echo "$p write ok"; else echo "$p write denied"; fi
done
`

// TestDevices_GrantOnlyTheNamedDevice guards the host's devices against
// --device: it must make exactly the named device usable, with exactly
// the permissions asked, and nothing else. A grant wider than asked (the
// runtime allowing every device it creates with rwm, or a rule by type
// only) would let a container given one device open the host's disks or
// /dev/mem through nodes it makes with CAP_MKNOD.
//
// With --device /dev/net/tun:/dev/crt-tun:r, the node opens for reading
// but not for writing; /dev/fuse, made in the container with mknod, and
// the host's /dev/kmsg made the same way do not open at all. With rw the
// same write-open succeeds: the probe can tell a grant.
func TestDevices_GrantOnlyTheNamedDevice(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	setup := "mknod /dev/crt-fuse c 10 229 && mknod /dev/crt-kmsg c 1 11 && sh -c '" + deviceProbe + "' probe /dev/crt-tun /dev/crt-fuse /dev/crt-kmsg"
	probe := func(perms string) map[string]string {
		out := d.OK(t, "run", "--rm", "--device", "/dev/net/tun:/dev/crt-tun:"+perms, img, "sh", "-c", setup)
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(l); len(f) == 3 {
				got[f[0]+" "+f[1]] = f[2]
			}
		}
		return got
	}
	got := probe("r")
	for probe, want := range map[string]string{
		"/dev/crt-tun read": "ok", "/dev/crt-tun write": "denied",
		"/dev/crt-fuse read": "denied", "/dev/crt-fuse write": "denied",
		"/dev/crt-kmsg read": "denied", "/dev/crt-kmsg write": "denied",
	} {
		if got[probe] != want {
			t.Errorf("--device ...:r: %s: want %s, got %q", probe, want, got[probe])
		}
	}
	if got := probe("rw"); got["/dev/crt-tun write"] != "ok" || got["/dev/crt-fuse read"] != "denied" {
		t.Errorf("--device ...:rw: want the tun device writable and fuse still denied, got %v", got)
	}
}
