package security

import (
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// dockerDefaultCaps is Docker's default capability set as a mask
// (/proc/PID/status prints it in hex): CHOWN, DAC_OVERRIDE, FOWNER,
// FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW,
// SYS_CHROOT, MKNOD, AUDIT_WRITE and SETFCAP (bits 0 1 3 4 5 6 7 8 10 13
// 18 27 29 31).
const dockerDefaultCaps = "00000000a80425fb"

// noCaps is the empty capability mask.
const noCaps = "0000000000000000"

// TestCapabilities_DockerDefaults guards against a container holding a
// capability Docker's defaults do not give: CAP_SYS_ADMIN,
// CAP_DAC_READ_SEARCH (the "shocker" breakout) or CAP_SYS_MODULE each
// escape on their own. It also guards CVE-2022-24769 (moby and runc gave
// processes a non-empty inheritable set, which execve of a file with
// inheritable file capabilities turned into permitted ones): the
// inheritable and ambient sets must be empty.
//
// Read from /proc/self/status, for run and exec: root gets exactly the
// 14 defaults as permitted, effective and bounding sets; a non-root user
// (-u 1000) keeps the bounding set but has nothing permitted or
// effective; --cap-drop ALL leaves every set empty, for exec too.
func TestCapabilities_DockerDefaults(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	root := map[string]string{"CapInh": noCaps, "CapPrm": dockerDefaultCaps, "CapEff": dockerDefaultCaps,
		"CapBnd": dockerDefaultCaps, "CapAmb": noCaps}
	user := map[string]string{"CapInh": noCaps, "CapPrm": noCaps, "CapEff": noCaps,
		"CapBnd": dockerDefaultCaps, "CapAmb": noCaps}
	none := map[string]string{"CapInh": noCaps, "CapPrm": noCaps, "CapEff": noCaps,
		"CapBnd": noCaps, "CapAmb": noCaps}
	status := []string{"cat", "/proc/self/status"}

	d.OK(t, "run", "-d", "--name", "caps", img, "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "caps-none", "--cap-drop", "ALL", img, "sleep", "1000")
	tests := []struct {
		name string
		args []string
		want map[string]string
	}{
		{"run-root", append([]string{"run", "--rm", img}, status...), root},
		{"run-user", append([]string{"run", "--rm", "-u", "1000", img}, status...), user},
		{"run-user-group", append([]string{"run", "--rm", "-u", "1000:1000", img}, status...), user},
		{"run-cap-drop-all", append([]string{"run", "--rm", "--cap-drop", "ALL", img}, status...), none},
		{"exec-root", append([]string{"exec", "caps"}, status...), root},
		{"exec-user", append([]string{"exec", "-u", "1000", "caps"}, status...), user},
		{"exec-cap-drop-all", append([]string{"exec", "caps-none"}, status...), none},
		{"exec-cap-drop-all-pid1", []string{"exec", "caps-none", "cat", "/proc/1/status"}, none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := capSets(d.OK(t, tt.args...))
			for set, want := range tt.want {
				if got[set] != want {
					t.Errorf("%s is %q, want %s (%s)", set, got[set], want, capNames(want))
				}
			}
		})
	}
}

// capSets returns the Cap* lines of a /proc/PID/status.
func capSets(status string) map[string]string {
	sets := map[string]string{}
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.HasPrefix(k, "Cap") {
			sets[k] = strings.TrimSpace(v)
		}
	}
	return sets
}

// capNames says in words what a mask of this file's is.
func capNames(mask string) string {
	switch mask {
	case dockerDefaultCaps:
		return "Docker's 14 defaults"
	case noCaps:
		return "none"
	}
	return "?"
}
