package depcheck

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// clientPath is the CLI, whose every invocation starts a process: what it
// links is initialised (and paged in) on every command line.
const clientPath = module + "/cmd/container-runtime"

// clientDenied are packages (with the packages below them) or, ending in
// "/", prefixes of package paths the client must not link, with the
// reason. The floors bound the
// module's own imports; this bounds the client's third-party and heavy
// standard ones.
var clientDenied = []struct{ pkg, why string }{
	{"github.com/spf13/cobra/doc", "man pages are written as roff by cmd/container-runtime/mangen.go; cobra/doc links a Markdown converter and a YAML encoder"},
	{"github.com/cpuguy83/go-md2man/", "a Markdown converter (cobra/doc's)"},
	{"github.com/russross/blackfriday/", "a Markdown parser with init-time tables"},
	{"go.yaml.in/yaml/", "no YAML is read or written by the client"},
	{"gopkg.in/yaml.v2", "no YAML is read or written by the client"},
	{"gopkg.in/yaml.v3", "no YAML is read or written by the client"},
	{"github.com/docker/docker", "Docker's API types: the client speaks api's types"},
	{"github.com/docker/cli", "Docker's CLI: the client is ours"},
	{"github.com/moby/", "Docker's API types: the client speaks api's types"},
	{"google.golang.org/", "gRPC and protobuf: the daemon's API is JSON over HTTP"},
	{"golang.org/x/text/", "large Unicode tables"},
	{"github.com/vbauerster/mpb/", "cmd/container-runtime/termboard.go draws the progress bars; mpb links a regexp compiled at init and Unicode width tables"},
	{"github.com/mattn/go-runewidth", "Unicode width tables"},
	{"github.com/rivo/uniseg", "Unicode segmentation tables"},
	{"runtime/cgo", "make build links the client without cgo (a static binary): a package that needs cgo would make it dynamic again"},
}

// TestClientStaysLean checks that the client, built as make builds it
// (CGO_ENABLED=0), links none of clientDenied.
func TestClientStaysLean(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", clientPath)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", clientPath, err, stderr.String())
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps %s: only %q", clientPath, deps)
	}
	for _, msg := range deniedDeps(deps) {
		t.Error(msg)
	}
}

// TestDeniedDepsReports checks the rule itself on made-up lists.
func TestDeniedDepsReports(t *testing.T) {
	if got := deniedDeps([]string{"fmt", "net/http", "github.com/spf13/cobra", clientPath}); len(got) != 0 {
		t.Errorf("a lean list is reported: %q", got)
	}
	got := deniedDeps([]string{"fmt", "github.com/spf13/cobra/doc", "github.com/moby/moby/api/types", "runtime/cgo"})
	if len(got) != 3 {
		t.Fatalf("deniedDeps reported %q, want cobra/doc, moby and runtime/cgo", got)
	}
	for i, want := range []string{"cobra/doc", "moby/moby/api/types", "runtime/cgo"} {
		if !strings.Contains(got[i], want) {
			t.Errorf("report %d is %q, want one about %s", i, got[i], want)
		}
	}
}

// deniedDeps returns a message for every package of deps that
// clientDenied names.
func deniedDeps(deps []string) []string {
	var msgs []string
	for _, d := range deps {
		for _, deny := range clientDenied {
			if d == deny.pkg || strings.HasPrefix(d, strings.TrimSuffix(deny.pkg, "/")+"/") {
				msgs = append(msgs, clientPath+" links "+d+": "+deny.why)
				break
			}
		}
	}
	return msgs
}
