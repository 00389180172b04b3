package depcheck

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strings"
)

const module = "github.com/container-runtime/container-runtime"

// floor is one level of the map: its packages may import only packages
// of lower floors, and of those only what their entry allows.
type floor struct {
	name string
	// rule says what the floor's packages may and may not import; it is
	// quoted when an import breaks it.
	rule string
	pkgs map[string]allow
}

// allow is one package's entry: the module packages it may import
// directly, space-separated.
type allow struct {
	imports string // from its own files
	tests   string // from its _test.go files, besides imports
}

// pkg is one package's direct imports of module packages, as go list
// reports them.
type pkg struct {
	path    string   // relative to the module
	imports []string // from its own files
	tests   []string // from its _test.go files (package x and x_test)
}

// entry is where a package sits in the table.
type entry struct {
	level int
	floor *floor
	allow allow
}

// index maps every package of the table to its entry; a package listed
// twice is reported.
func index(table []floor) (map[string]entry, []string) {
	idx := map[string]entry{}
	var problems []string
	for i := range table {
		for p, a := range table[i].pkgs {
			if prev, ok := idx[p]; ok {
				problems = append(problems, fmt.Sprintf("table: %s is on floor %q and on floor %q: keep one", p, prev.floor.name, table[i].name))
			}
			idx[p] = entry{level: i, floor: &table[i], allow: a}
		}
	}
	return idx, problems
}

// isTestOnly reports whether p is a test helper package.
func isTestOnly(p string) bool {
	for _, t := range testOnly {
		if p == t || strings.HasPrefix(p, t+"/") {
			return true
		}
	}
	return false
}

// mayUseTestHelpers reports whether p may import a test helper from its
// own (non-test) files: the helpers themselves, the integration suites and
// the benchmarks.
func mayUseTestHelpers(p string) bool {
	return isTestOnly(p) || strings.HasPrefix(p, "integration/") || strings.HasPrefix(p, "bench/")
}

// checkTable reports the entries that break the layering itself: an
// allowed import that is unknown, on the same or a higher floor, or a
// test helper allowed to non-test code.
func checkTable(table []floor) []string {
	idx, problems := index(table)
	for p, e := range idx {
		for _, list := range []struct {
			kind, deps string
		}{{"imports", e.allow.imports}, {"tests", e.allow.tests}} {
			for _, d := range strings.Fields(list.deps) {
				de, ok := idx[d]
				switch {
				case !ok:
					problems = append(problems, fmt.Sprintf("table: %s's %s names %s, which has no entry", p, list.kind, d))
				case de.level >= e.level:
					problems = append(problems, fmt.Sprintf("table: %s (floor %q) may import %s (floor %q): imports go only to lower floors",
						p, e.floor.name, d, de.floor.name))
				case list.kind == "imports" && isTestOnly(d) && !mayUseTestHelpers(p):
					problems = append(problems, fmt.Sprintf("table: %s's imports name the test helper %s: list it under tests", p, d))
				}
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// check reports every package without an entry, every import its entry
// does not allow, and every entry that names no package.
func check(pkgs []pkg, table []floor) []string {
	idx, problems := index(table)
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.path] = true
		e, ok := idx[p.path]
		if !ok {
			problems = append(problems, fmt.Sprintf(
				"package %s has no entry in internal/depcheck/floors_test.go: add one on the lowest floor above what it imports, "+
					"with imports: %q, tests: %q", p.path, strings.Join(p.imports, " "), strings.Join(unlisted(p.tests), " ")))
			continue
		}
		own := strings.Fields(e.allow.imports)
		withTests := slices.Concat(own, strings.Fields(e.allow.tests))
		for _, d := range p.imports {
			if slices.Contains(own, d) {
				continue
			}
			if isTestOnly(d) && !mayUseTestHelpers(p.path) {
				problems = append(problems, fmt.Sprintf("%s imports %s in non-test code: test helpers are for _test.go files, integration/ and bench/ only", p.path, d))
				continue
			}
			problems = append(problems, violation(p.path, d, "", e, idx))
		}
		for _, d := range p.tests {
			if !slices.Contains(withTests, d) && !slices.Contains(everyTest, d) {
				problems = append(problems, violation(p.path, d, " (in a _test.go file)", e, idx))
			}
		}
	}
	for p := range idx {
		if !seen[p] {
			problems = append(problems, fmt.Sprintf("internal/depcheck/floors_test.go has an entry for %s, which go list does not show: remove or rename it", p))
		}
	}
	sort.Strings(problems)
	return problems
}

// unlisted drops from deps the packages every test may import unlisted.
func unlisted(deps []string) []string {
	var out []string
	for _, d := range deps {
		if !slices.Contains(everyTest, d) {
			out = append(out, d)
		}
	}
	return out
}

// violation says that p imports d, which its entry e does not allow, and
// what to do.
func violation(p, d, where string, e entry, idx map[string]entry) string {
	msg := fmt.Sprintf("%s imports %s%s: not allowed by its entry on floor %q (%s)", p, d, where, e.floor.name, e.floor.rule)
	if de, ok := idx[d]; ok && de.level >= e.level {
		return msg + fmt.Sprintf("; %s is on floor %q, not below: move the code instead", d, de.floor.name)
	}
	return msg + fmt.Sprintf("; if it belongs, add %s to %s's entry", d, p)
}

// list runs go list on the whole module and returns each package's direct
// imports of module packages. -e keeps a package that does not build
// (someone's work in progress) in the list with the imports it parses.
func list() ([]pkg, error) {
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports", module+"/...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s/...: %w\n%s", module, err, stderr.String())
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for dec.More() {
		var j struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&j); err != nil {
			return nil, fmt.Errorf("decoding go list's output: %w", err)
		}
		p := pkg{path: rel(j.ImportPath), imports: inModule(j.Imports, "")}
		own := rel(j.ImportPath)
		for _, d := range inModule(append(j.TestImports, j.XTestImports...), own) {
			if !slices.Contains(p.imports, d) && !slices.Contains(p.tests, d) {
				p.tests = append(p.tests, d)
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// rel returns a module path relative to the module ("" for its root).
func rel(path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
}

// inModule keeps the module packages of paths (relative), without self.
func inModule(paths []string, self string) []string {
	var out []string
	for _, p := range paths {
		if p != module && !strings.HasPrefix(p, module+"/") {
			continue
		}
		if r := rel(p); r != self {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
