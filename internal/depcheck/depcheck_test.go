package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/container-runtime/container-runtime"

// forbidden lists, per package (prefix, relative to the module), the
// project packages it must not import, directly or not.
var forbidden = map[string][]string{
	"api":                   {"*"}, // the wire types: standard library only
	"errdefs":               {"*"},
	"internal/events":       {"client", "daemon", "container", "cmd", "runtime", "image", "build"},
	"client":                {"daemon", "container", "runtime", "image", "build", "network", "distribution", "snapshot", "internal/monitor", "internal/rootfs", "internal/cgroup"},
	"runtime":               {"daemon", "client", "container", "image", "build", "network", "distribution", "snapshot", "cmd"},
	"internal/rootfs":       {"runtime", "daemon", "client", "container", "image", "build"},
	"internal/cgroup":       {"runtime", "daemon", "client", "container", "image", "build"},
	"internal/seccomp":      {"runtime", "daemon", "client", "container", "image", "build"},
	"internal/capabilities": {"runtime", "daemon", "client", "container", "image", "build"},
	"internal/nsenter":      {"*"},
	"internal/monitor":      {"runtime", "daemon", "client", "container", "image", "build"},
	"snapshot":              {"runtime", "daemon", "client", "container", "image", "build"},
	"image":                 {"runtime", "daemon", "client", "container", "build", "network", "distribution"},
	"build":                 {"daemon", "client", "container", "network", "distribution"},
	"network":               {"daemon", "client", "container", "image", "build", "distribution"},
	"distribution":          {"daemon", "client", "container", "runtime", "build", "network"},
	"container":             {"daemon", "client", "cmd"},
	"daemon":                {"client", "cmd"},
}

// deps returns, for every package of the module, the module packages it
// depends on (transitively).
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/")
		for _, d := range f[1:] {
			if rel, ok := strings.CutPrefix(d, module+"/"); ok {
				m[pkg] = append(m[pkg], rel)
			}
		}
		if _, ok := m[pkg]; !ok {
			m[pkg] = nil
		}
	}
	return m
}

func TestImportDirection(t *testing.T) {
	all := deps(t)
	for pkg, ds := range all {
		for prefix, bad := range forbidden {
			if pkg != prefix && !strings.HasPrefix(pkg, prefix+"/") {
				continue
			}
			for _, d := range ds {
				for _, b := range bad {
					if b == "*" || d == b || strings.HasPrefix(d, b+"/") {
						t.Errorf("%s imports %s (directly or not): not allowed by ARCHITECTURE.md", pkg, d)
					}
				}
			}
		}
	}
	if len(all) < 10 {
		t.Fatalf("go list found only %d packages", len(all))
	}
}

// TestNoUtilPackages: packages are named for what they do.
func TestNoUtilPackages(t *testing.T) {
	for pkg := range deps(t) {
		for _, bad := range []string{"util", "utils", "common", "helpers", "misc"} {
			if pkg == bad || strings.HasSuffix(pkg, "/"+bad) {
				t.Errorf("package %s: name it for what it does", pkg)
			}
		}
	}
}
