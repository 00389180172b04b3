package runtime

import (
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/seccomp"
)

// TestInitReaperConfined guards the minimal init (CreateOptions.Init,
// `run --init`) against being a way around the container's seccomp
// profile and capabilities: a root process in the container that can
// PTRACE_ATTACH to PID 1 makes, through it, any system call PID 1 may
// make. PID 1 must refuse the attach (non-dumpable), carry a seccomp
// filter as the process does, and have the same bounding set; the
// probe's blocked calls stay blocked. With and without a seccomp profile,
// and with a bounding set narrower than Docker's.
func TestInitReaperConfined(t *testing.T) {
	status := "for p in 1 self; do grep -E '^(Seccomp|Seccomp_filters|CapBnd|CapEff):' /proc/$p/status | tr -d '\\t' | tr '\\n' ' '; echo; done; " +
		"/bin/probe ptrace 1; /bin/probe keyctl"
	for _, tc := range []struct {
		name     string
		filtered bool
		bounding []string
	}{
		{"default", true, nil},
		{"no-filter", false, nil},
		{"narrow-bounding", true, []string{"CAP_CHOWN", "CAP_SETUID", "CAP_SETGID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/sh", "-c", status)
			b.init = true
			if tc.filtered {
				sc, err := seccomp.Default(b.spec)
				if err != nil {
					t.Fatal(err)
				}
				b.spec.Linux.Seccomp = sc
			}
			if tc.bounding != nil {
				c := b.spec.Process.Capabilities
				c.Bounding, c.Effective, c.Permitted = tc.bounding, tc.bounding, tc.bounding
			}
			id := testID(t)
			watchLeaks(t, b, id)
			out, _ := b.run(t, id)
			lines := strings.Split(out, "\n")
			if len(lines) != 4 {
				t.Fatalf("output %q, want 4 lines", out)
			}
			init, self := fields(lines[0]), fields(lines[1])
			if init["CapBnd"] != self["CapBnd"] || init["CapBnd"] == "" {
				t.Errorf("PID 1's bounding set %q, the process's %q", init["CapBnd"], self["CapBnd"])
			}
			wantSeccomp := map[bool]string{true: "2", false: "0"}[tc.filtered]
			if init["Seccomp"] != wantSeccomp || self["Seccomp"] != wantSeccomp {
				t.Errorf("Seccomp: PID 1 %q, the process %q, want %s", init["Seccomp"], self["Seccomp"], wantSeccomp)
			}
			if init["Seccomp_filters"] != self["Seccomp_filters"] {
				t.Errorf("Seccomp_filters: PID 1 %q, the process %q", init["Seccomp_filters"], self["Seccomp_filters"])
			}
			if lines[2] != "EPERM" {
				t.Errorf("PTRACE_ATTACH to PID 1 from a root process of the container: %q, want EPERM", lines[2])
			}
			if tc.filtered && lines[3] != "EPERM" {
				t.Errorf("keyctl under the default profile: %q, want EPERM", lines[3])
			}
		})
	}
}

// fields parses "Key:value Key:value " into a map.
func fields(line string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, ":"); ok {
			m[k] = v
		}
	}
	return m
}
