package depcheck

import (
	"slices"
	"strings"
	"testing"
)

// TestAllowlist checks every package of the module against its entry in
// floors_test.go: an import its entry does not list fails, naming the
// package, the import and the floor's rule; so does a package without an
// entry.
func TestAllowlist(t *testing.T) {
	pkgs, err := list()
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 30 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range check(pkgs, floors) {
		t.Error(p)
	}
}

// TestTableIsLayered checks the table itself: every allowed import is a
// known package on a lower floor, so the direct rules also bound what a
// package reaches transitively.
func TestTableIsLayered(t *testing.T) {
	for _, p := range checkTable(floors) {
		t.Error(p)
	}
}

// TestCheckReportsBrokenRules feeds check a module with one broken rule
// per case and wants it reported: the proof that TestAllowlist can fail.
func TestCheckReportsBrokenRules(t *testing.T) {
	table := []floor{
		{name: "wire", rule: "standard library only", pkgs: map[string]allow{"api": {}}},
		{name: "leaves", rule: "no module imports", pkgs: map[string]allow{"internal/testutil": {}}},
		{name: "engines", rule: "engines", pkgs: map[string]allow{"container": {imports: "api", tests: "internal/testutil"}}},
		{name: "HTTP", rule: "daemon is only HTTP", pkgs: map[string]allow{"daemon": {imports: "api"}}},
	}
	ok := []pkg{
		{path: "api"},
		{path: "internal/testutil"},
		{path: "container", imports: []string{"api"}, tests: []string{"internal/testutil"}},
		// internal/testutil is allowed to every package's tests unlisted.
		{path: "daemon", imports: []string{"api"}, tests: []string{"internal/testutil"}},
	}
	if got := check(ok, table); len(got) != 0 {
		t.Fatalf("a module that keeps the rules was reported: %q", got)
	}
	tests := []struct {
		name   string
		change func([]pkg) []pkg
		want   []string // all in one report
	}{
		{
			name: "daemon imports an engine",
			change: func(m []pkg) []pkg {
				m[3].imports = append(m[3].imports, "container")
				return m
			},
			want: []string{"daemon imports container", `floor "HTTP"`, "daemon is only HTTP", "add container to daemon's entry"},
		},
		{
			name: "an engine imports the HTTP layer",
			change: func(m []pkg) []pkg {
				m[2].imports = append(m[2].imports, "daemon")
				return m
			},
			want: []string{"container imports daemon", `daemon is on floor "HTTP", not below: move the code`},
		},
		{
			name: "an engine's test imports an unlisted package",
			change: func(m []pkg) []pkg {
				m[2].tests = append(m[2].tests, "api", "internal/newthing")
				return m
			},
			want: []string{"container imports internal/newthing (in a _test.go file)"},
		},
		{
			name: "a test helper in non-test code",
			change: func(m []pkg) []pkg {
				m[2].imports = append(m[2].imports, "internal/testutil")
				return m
			},
			want: []string{"container imports internal/testutil in non-test code", "_test.go files, integration/ and bench/ only"},
		},
		{
			name: "a package without an entry",
			change: func(m []pkg) []pkg {
				return append(m, pkg{path: "internal/newthing", imports: []string{"api"}})
			},
			want: []string{"package internal/newthing has no entry", "add one", `imports: "api"`},
		},
		{
			name: "an entry for a package that is gone",
			change: func(m []pkg) []pkg {
				return m[:3]
			},
			want: []string{"entry for daemon, which go list does not show"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.change(clone(ok))
			got := check(m, table)
			if len(got) != 1 {
				t.Fatalf("want one report, got %q", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("report %q lacks %q", got[0], w)
				}
			}
		})
	}
}

// TestCheckTableReportsBadEntries: an entry that allows an upward import,
// an unknown package, or a test helper to non-test code is reported.
func TestCheckTableReportsBadEntries(t *testing.T) {
	table := []floor{
		{name: "wire", pkgs: map[string]allow{"api": {imports: "daemon"}, "internal/testutil": {}}},
		{name: "HTTP", pkgs: map[string]allow{"daemon": {imports: "api internal/testutil nowhere"}}},
	}
	got := checkTable(table)
	for _, w := range []string{
		`api (floor "wire") may import daemon (floor "HTTP")`,
		"daemon's imports name the test helper internal/testutil",
		"daemon's imports names nowhere, which has no entry",
	} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, w) }) {
			t.Errorf("checkTable did not report %q; it reported %q", w, got)
		}
	}
}

// TestNoUtilPackages: packages are named for what they do.
func TestNoUtilPackages(t *testing.T) {
	pkgs, err := list()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for _, bad := range []string{"util", "utils", "common", "helpers", "misc"} {
			if p.path == bad || strings.HasSuffix(p.path, "/"+bad) {
				t.Errorf("package %s: name it for what it does", p.path)
			}
		}
	}
}

// clone copies a module so a case can change it.
func clone(m []pkg) []pkg {
	out := make([]pkg, len(m))
	for i, p := range m {
		out[i] = pkg{path: p.path, imports: slices.Clone(p.imports), tests: slices.Clone(p.tests)}
	}
	return out
}
