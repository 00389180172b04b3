package runtime

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/sys/capability"

	"github.com/container-runtime/container-runtime/internal/capabilities"
	"github.com/container-runtime/container-runtime/internal/seccomp"
)

// The tests of this file check the container process's privileges:
// capabilities, no_new_privs, seccomp, masked and read-only paths,
// rlimits and sysctls.

// capMask is the bit mask of the named capabilities ("CAP_CHOWN"), as
// /proc/PID/status prints it.
func capMask(t testing.TB, names []string) uint64 {
	t.Helper()
	byName := map[string]capability.Cap{}
	for _, c := range capability.ListKnown() {
		byName["CAP_"+strings.ToUpper(c.String())] = c
	}
	var m uint64
	for _, n := range names {
		c, ok := byName[n]
		if !ok {
			t.Fatalf("unknown capability %q", n)
		}
		m |= 1 << uint(c)
	}
	return m
}

func TestCapabilities(t *testing.T) {
	b := newTestBundle(t, "/bin/grep", "^Cap", "/proc/self/status")
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if st.Code != 0 {
		t.Fatalf("exit %+v, output %q", st, out)
	}
	defaults := capMask(t, capabilities.DockerDefaults())
	if n := len(capabilities.DockerDefaults()); n != 14 {
		t.Errorf("Docker's default set has %d capabilities, want 14", n)
	}
	want := map[string]uint64{"CapInh:": 0, "CapPrm:": defaults, "CapEff:": defaults, "CapBnd:": defaults, "CapAmb:": 0}
	for key, w := range want {
		f := statusLine(out, key)
		if len(f) != 2 {
			t.Errorf("no %s line in %q", key, out)
			continue
		}
		got, err := strconv.ParseUint(f[1], 16, 64)
		if err != nil {
			t.Fatalf("%s %q: %v", key, f[1], err)
		}
		if got != w {
			t.Errorf("%s %016x, want %016x", key, got, w)
		}
	}
}

func TestNoNewPrivs(t *testing.T) {
	for _, nnp := range []bool{true, false} {
		t.Run(fmt.Sprint(nnp), func(t *testing.T) {
			b := newTestBundle(t, "/bin/grep", "^NoNewPrivs", "/proc/self/status")
			b.spec.Process.NoNewPrivileges = nnp
			id := testID(t)
			watchLeaks(t, b, id)
			out, _ := b.run(t, id)
			want := "0"
			if nnp {
				want = "1"
			}
			if f := statusLine(out, "NoNewPrivs:"); len(f) != 2 || f[1] != want {
				t.Errorf("got %q, want NoNewPrivs: %s", out, want)
			}
		})
	}
}

func TestSeccomp(t *testing.T) {
	tests := []struct {
		probe string
		// withFilter and without are the probe's output with Docker's
		// default profile and without a filter.
		withFilter, without string
	}{
		{"keyctl", "EPERM", "ok"},
		// The probe is a multi-threaded Go program: without a filter the
		// kernel refuses CLONE_NEWUSER with EINVAL; the filter answers
		// first with EPERM.
		{"unshare-user", "EPERM", "EINVAL"},
		// Without CAP_SYS_ADMIN mount fails anyway; the filter must still
		// say EPERM (not ENOSYS or a kill).
		{"mount", "EPERM", "EPERM"},
	}
	for _, tt := range tests {
		for _, filtered := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/filter=%v", tt.probe, filtered), func(t *testing.T) {
				b := newTestBundle(t, "/bin/probe", tt.probe)
				want := tt.without
				if filtered {
					sc, err := seccomp.Default(b.spec)
					if err != nil {
						t.Fatal(err)
					}
					b.spec.Linux.Seccomp = sc
					want = tt.withFilter
				}
				id := testID(t)
				watchLeaks(t, b, id)
				out, st := b.run(t, id)
				if out != want {
					t.Errorf("probe %s: got %q (%+v), want %q", tt.probe, out, st, want)
				}
				if wantCode := map[bool]int{true: 0, false: 1}[want == "ok"]; st.Code != wantCode {
					t.Errorf("probe %s: exit %+v, want %d", tt.probe, st, wantCode)
				}
			})
		}
	}
}

func TestMaskedPaths(t *testing.T) {
	var files []string
	for _, p := range []string{"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/interrupts", "/proc/sched_debug", "/proc/latency_stats"} {
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Fatal("no maskable file exists on this kernel")
	}
	for _, p := range files {
		t.Run(p, func(t *testing.T) {
			// Prints the device numbers (hex) and the number of bytes read.
			b := newTestBundle(t, "/bin/sh", "-c", `stat -c '%t:%T' "$1"; cat "$1" | wc -c`, "sh", p)
			id := testID(t)
			watchLeaks(t, b, id)
			out, st := b.run(t, id)
			if want := "1:3\n0"; out != want || st.Code != 0 {
				t.Errorf("%s: got %q (%+v), want %q (char 1:3, empty)", p, out, st, want)
			}
		})
	}
	t.Run("directories", func(t *testing.T) {
		b := newTestBundle(t, "/bin/sh", "-c", `for d in /proc/acpi /sys/firmware; do [ -d $d ] && echo "$d:$(ls -A $d | wc -l)"; done; true`)
		id := testID(t)
		watchLeaks(t, b, id)
		out, _ := b.run(t, id)
		for line := range strings.SplitSeq(out, "\n") {
			if line != "" && !strings.HasSuffix(line, ":0") {
				t.Errorf("masked directory is not empty: %s", line)
			}
		}
	})
}

func TestWritesToKernelFilesFail(t *testing.T) {
	paths := []string{
		"/proc/sys/kernel/hostname",
		"/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/vm/drop_caches",
		"/proc/sysrq-trigger",
		"/sys/kernel/rcu_expedited",
		"/sys/class/net/lo/mtu",
		"/sys/fs/cgroup/pids/pids.max",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			// The write happens through the shell's redirection, so a
			// failure is the open(2) or write(2) of the file itself.
			b := newTestBundle(t, "/bin/sh", "-c", `if [ ! -e "$1" ]; then echo missing; elif echo 1 > "$1"; then echo wrote; else echo refused; fi`, "sh", p)
			id := testID(t)
			watchLeaks(t, b, id)
			out, _ := b.run(t, id)
			last := out[strings.LastIndexByte(out, '\n')+1:]
			if last == "missing" {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s exists on the host but not in the container", p)
				}
				return
			}
			if last != "refused" {
				t.Errorf("writing %s: got %q, want the write refused", p, out)
			}
		})
	}
}

func TestRlimits(t *testing.T) {
	tests := []struct {
		soft, hard uint64
	}{
		{1024, 1024},
		{512, 1024},
		{256, 256},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d-%d", tt.soft, tt.hard), func(t *testing.T) {
			b := newTestBundle(t, "/bin/sh", "-c", "ulimit -n; ulimit -Hn")
			b.spec.Process.Rlimits[0].Soft, b.spec.Process.Rlimits[0].Hard = tt.soft, tt.hard
			id := testID(t)
			watchLeaks(t, b, id)
			out, _ := b.run(t, id)
			if want := fmt.Sprintf("%d\n%d", tt.soft, tt.hard); out != want {
				t.Errorf("ulimit -n, -Hn: got %q, want %q", out, want)
			}
		})
	}
}

func TestSysctl(t *testing.T) {
	tests := []struct {
		key, value, file string
	}{
		{"net.ipv4.ip_forward", "1", "/proc/sys/net/ipv4/ip_forward"},
		{"kernel.shm_rmid_forced", "1", "/proc/sys/kernel/shm_rmid_forced"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			host, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			b := newTestBundle(t, "/bin/cat", tt.file)
			b.spec.Linux.Sysctl = map[string]string{tt.key: tt.value}
			id := testID(t)
			watchLeaks(t, b, id)
			out, st := b.run(t, id)
			if out != tt.value || st.Code != 0 {
				t.Errorf("%s in the container: %q (%+v), want %q", tt.key, out, st, tt.value)
			}
			// The container has its own network and IPC namespaces: the
			// host's value is untouched.
			if after, _ := os.ReadFile(tt.file); string(after) != string(host) {
				t.Errorf("%s changed on the host: %q -> %q", tt.key, host, after)
			}
		})
	}
}
