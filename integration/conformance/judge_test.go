package conformance

import (
	"strings"
	"testing"
)

// allowed is one failure that allowlist.go explains: a problem of a
// program (a "not ok" description, "exit status N" or "error diagnostic")
// that contains match.
type allowed struct {
	match  string
	reason string
}

// judge splits a program's problems into those no allowlist entry
// explains, and returns the program's entries that explained nothing
// (failures that no longer happen).
func judge(program string, problems []string) (unexplained []string, passing []allowed) {
	entries := allowlist[program]
	used := make([]bool, len(entries))
	for _, p := range problems {
		ok := false
		for i, e := range entries {
			if strings.Contains(p, e.match) {
				ok, used[i] = true, true
				break
			}
		}
		if !ok {
			unexplained = append(unexplained, p)
		}
	}
	for i, e := range entries {
		if !used[i] {
			passing = append(passing, e)
		}
	}
	return unexplained, passing
}

func TestJudge(t *testing.T) {
	allowlist["test-program"] = []allowed{{match: "exit status 1", reason: "r1"}, {match: "hugetlb", reason: "r2"}}
	defer delete(allowlist, "test-program")
	unexplained, passing := judge("test-program", []string{"exit status 1", "devices are set"})
	if len(unexplained) != 1 || unexplained[0] != "devices are set" {
		t.Errorf("unexplained = %q, want the devices failure only", unexplained)
	}
	if len(passing) != 1 || passing[0].reason != "r2" {
		t.Errorf("passing = %v, want the hugetlb entry", passing)
	}
	if u, _ := judge("other-program", []string{"exit status 1"}); len(u) != 1 {
		t.Errorf("a program without entries had %q unexplained, want its one failure", u)
	}
}

// TestAllowlistReasons checks that every entry says what it matches and
// why the failure is not ours to fix.
func TestAllowlistReasons(t *testing.T) {
	for program, entries := range allowlist {
		for _, e := range entries {
			if e.match == "" || len(e.reason) < 20 {
				t.Errorf("%s: entry %+v needs a match and a reason", program, e)
			}
		}
	}
}
