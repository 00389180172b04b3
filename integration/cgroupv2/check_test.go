package cgroupv2

import (
	"slices"
	"strings"
	"testing"
)

// check fails a transcript for each way the guest can go wrong.
func TestCheck(t *testing.T) {
	var passes []string
	for _, name := range guestTests {
		passes = append(passes, "--- PASS: "+name+" (0.01s)")
	}
	all := strings.Join(passes, "\n")
	tests := []struct {
		name       string
		transcript string
		want       []string // substrings of the problems; none: it passes
	}{
		{"every test passed", all + "\nPASS\n" + ExitMarker + " 0", nil},
		{"no marker", all + "\nPASS", []string{"no " + ExitMarker}},
		{"nonzero exit", all + "\n" + ExitMarker + " 2", []string{"exit 2"}},
		{"setup failed", "cgroupv2-guest: setup failed: mount\n" + ExitMarker + " 100",
			[]string{"exit 100", "TestGuestIsCgroup2Only did not pass"}},
		{"a failure", all + "\n--- FAIL: TestOther (0.1s)\n" + ExitMarker + " 1",
			[]string{"--- FAIL: TestOther", "exit 1"}},
		{"a skip", all + "\n    --- SKIP: TestOther/sub (0.0s)\n" + ExitMarker + " 0", []string{"--- SKIP"}},
		{"a test missing", strings.Join(passes[1:], "\n") + "\n" + ExitMarker + " 0",
			[]string{guestTests[0] + " did not pass"}},
		{"marker inside a line", all + "\necho " + ExitMarker + " 0", []string{"no " + ExitMarker}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := check(strings.Split(tt.transcript, "\n"))
			got := strings.Join(problems, "\n")
			if len(tt.want) == 0 && len(problems) > 0 {
				t.Errorf("problems in a good run:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems %q do not say %q", problems, w)
				}
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	got := []string{"/boot/vmlinuz-6.1.0-10-amd64", "/boot/vmlinuz-6.1.0-9-amd64", "/boot/vmlinuz-5.10.0-30-amd64"}
	slices.SortFunc(got, compareVersions)
	want := []string{"/boot/vmlinuz-5.10.0-30-amd64", "/boot/vmlinuz-6.1.0-9-amd64", "/boot/vmlinuz-6.1.0-10-amd64"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted %q, want %q", got, want)
	}
}
