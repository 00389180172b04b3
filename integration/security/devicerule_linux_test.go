package security

import (
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestDevices_RuleGrantsOnlyWhatItSays guards the host's devices against
// --device-cgroup-rule (HostConfig.DeviceCgroupRules through the Docker
// API): a rule must allow exactly the devices and access it names. The
// attacks: a rule for one device with read access ("c 10:200 r") then
// used to write it, or to open another device made with CAP_MKNOD (fuse,
// the host's /dev/kmsg); and "a 1:3 r", which the kernel's v1 device
// cgroup reads as "allow every device" (type a ignores the numbers), and
// loose spellings that could parse into something wider. With the narrow
// rule the probe finds the tun node readable only, fuse and kmsg
// unopenable; the type-a and malformed rules are refused through the CLI
// and the Docker API, and nothing is left behind. With "c 10:200 rw" the
// same write succeeds: the probe can tell a grant.
func TestDevices_RuleGrantsOnlyWhatItSays(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	setup := "mknod /dev/crt-tun c 10 200 && mknod /dev/crt-fuse c 10 229 && mknod /dev/crt-kmsg c 1 11 && sh -c '" + deviceProbe + "' probe /dev/crt-tun /dev/crt-fuse /dev/crt-kmsg"
	probe := func(rule string) map[string]string {
		out := d.OK(t, "run", "--rm", "--device-cgroup-rule", rule, img, "sh", "-c", setup)
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(l); len(f) == 3 {
				got[f[0]+" "+f[1]] = f[2]
			}
		}
		return got
	}
	got := probe("c 10:200 r")
	for probe, want := range map[string]string{
		"/dev/crt-tun read": "ok", "/dev/crt-tun write": "denied",
		"/dev/crt-fuse read": "denied", "/dev/crt-fuse write": "denied",
		"/dev/crt-kmsg read": "denied", "/dev/crt-kmsg write": "denied",
	} {
		if got[probe] != want {
			t.Errorf("--device-cgroup-rule 'c 10:200 r': %s: want %s, got %q", probe, want, got[probe])
		}
	}
	if got := probe("c 10:200 rw"); got["/dev/crt-tun write"] != "ok" || got["/dev/crt-kmsg read"] != "denied" {
		t.Errorf("--device-cgroup-rule 'c 10:200 rw': want the tun node writable and kmsg still denied, got %v", got)
	}

	api := dockerAPI(t, d)
	for _, rule := range []string{"a 1:3 r", "a 10:200 rwm", "c 10:200  r", "c 10:200 rx", "c 10:200 r\na *:* rwm", "c 10:200"} {
		if r := d.Run(t, "run", "--rm", "--device-cgroup-rule", rule, img, "true"); r.Code != 125 || !strings.Contains(r.Stderr, "invalid device cgroup rule") {
			t.Errorf("run --device-cgroup-rule %q: want a refusal, got:\n%s", rule, r)
		}
		if code, body := api.create(t, map[string]any{"DeviceCgroupRules": []string{rule}}); code != 400 {
			t.Errorf("Docker API create with DeviceCgroupRules [%q]: %d %s, want 400", rule, code, body)
		}
	}
	if ids := strings.Fields(d.OK(t, "ps", "-aq")); len(ids) != 0 {
		t.Errorf("refused creates left containers: %q", ids)
	}
}
