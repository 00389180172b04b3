package capabilities

import (
	"testing"

	"github.com/moby/sys/capability"
)

// maskOf computes the kernel's bit mask for names from the capability
// library's own table, independently of the package's lookup code.
func maskOf(tb testing.TB, names ...string) uint64 {
	tb.Helper()
	var m uint64
	for _, n := range names {
		found := false
		for _, c := range capability.ListKnown() {
			if "CAP_"+upper(c.String()) == n {
				m |= 1 << uint(c)
				found = true
			}
		}
		if !found {
			tb.Fatalf("capability %q not in the library's table", n)
		}
	}
	return m
}

// upper is an ASCII upper-casing written out so that the helper does not
// share code with the package under test.
func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func TestDockerDefaults(t *testing.T) {
	d := DockerDefaults()
	if len(d) != 14 {
		t.Fatalf("DockerDefaults has %d names, want 14: %v", len(d), d)
	}
	seen := map[string]bool{}
	for _, n := range d {
		if seen[n] {
			t.Errorf("duplicate %q", n)
		}
		seen[n] = true
	}
	// 0xa80425fb is the CapBnd every Docker container shows in /proc/self/status.
	if got, want := maskOf(t, d...), uint64(0xa80425fb); got != want {
		t.Errorf("mask of DockerDefaults = %#x, want %#x", got, want)
	}
	d[0] = "changed"
	if DockerDefaults()[0] != "CAP_CHOWN" {
		t.Error("DockerDefaults returned a shared slice")
	}
}

func TestResolve(t *testing.T) {
	byName := known()
	tests := []struct {
		name    string
		names   []string
		last    capability.Cap
		want    []capability.Cap
		wantErr bool
	}{
		{"empty", nil, capability.CAP_CHECKPOINT_RESTORE, []capability.Cap{}, false},
		{"two", []string{"CAP_KILL", "CAP_CHOWN"}, capability.CAP_CHECKPOINT_RESTORE,
			[]capability.Cap{capability.CAP_KILL, capability.CAP_CHOWN}, false},
		{"above the kernel's last is skipped", []string{"CAP_BPF", "CAP_KILL"}, capability.CAP_AUDIT_READ,
			[]capability.Cap{capability.CAP_KILL}, false},
		{"unknown", []string{"CAP_FLY"}, capability.CAP_CHECKPOINT_RESTORE, nil, true},
		{"lower case is not a name", []string{"cap_kill"}, capability.CAP_CHECKPOINT_RESTORE, nil, true},
		{"no prefix is not a name", []string{"KILL"}, capability.CAP_CHECKPOINT_RESTORE, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolve(byName, tt.names, tt.last)
			if (err != nil) != tt.wantErr {
				t.Fatalf("resolve(%v) error = %v, wantErr %v", tt.names, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("resolve(%v) = %v, want %v", tt.names, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("resolve(%v) = %v, want %v", tt.names, got, tt.want)
				}
			}
		})
	}
}

func TestKnownCoversLibrary(t *testing.T) {
	k := known()
	if len(k) != len(capability.ListKnown()) {
		t.Fatalf("known() has %d names, library lists %d", len(k), len(capability.ListKnown()))
	}
	if k["CAP_NET_BIND_SERVICE"] != capability.CAP_NET_BIND_SERVICE {
		t.Errorf("CAP_NET_BIND_SERVICE maps to %d", k["CAP_NET_BIND_SERVICE"])
	}
}
