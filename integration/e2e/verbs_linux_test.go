package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestDockerVerbs drives ps and images filters, rename, port, top, the
// `container X` aliases, top-level tag and history, and short ids
// through the real daemon and CLI, comparing each output with what
// Docker prints for the same commands.
func TestDockerVerbs(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)

	idA := strings.TrimSpace(d.OK(t, "run", "-d", "--name", "a", "--label", "tier=front", "-p", "127.0.0.1:18491:80", img, "sleep", "100"))
	if r := d.Run(t, "run", "--name", "b", "--network", "none", img, "sh", "-c", "echo data > /f; exit 3"); r.Code != 3 {
		t.Fatalf("run b: %s", r)
	}
	d.OK(t, "create", "--name", "c", "--network", "none", img, "true")

	expect := func(want string, args ...string) {
		t.Helper()
		if got := d.OK(t, args...); got != want {
			t.Errorf("%q: %q, want %q", args, got, want)
		}
	}
	names := "{{.Names}}"
	t.Run("ps filters", func(t *testing.T) {
		expect("a\n", "ps", "--format", names)
		expect("c\nb\n", "ps", "--filter", "status=exited", "--filter", "status=created", "--format", names)
		expect("b\n", "ps", "--filter", "exited=3", "--format", names)
		expect(idA[:12]+"\n", "ps", "-a", "--filter", "label=tier=front", "-q")
		expect("a\n", "ps", "-a", "--filter", "label=tier", "--format", names)
		expect("c\nb\na\n", "ps", "-a", "--filter", "ancestor=busybox", "--format", names)
		expect("c\nb\n", "ps", "-a", "--filter", "since=a", "--format", names)
		expect("a\n", "ps", "-a", "--filter", "before=b", "--format", names)
		expect("b\n", "ps", "-a", "--filter", "name=^b$", "--format", names)
		expect("c\nb\n", "ps", "-a", "--filter", "network=none", "--format", names)
		expect("a\n", "ps", "-a", "--filter", "id="+idA[:6], "--format", names)
		expect("", "ps", "-a", "--filter", "network=none", "--filter", "status=running", "--format", names)
		expect("c\nb\n", "ps", "-n", "2", "--format", names)
		expect("c\n", "ps", "-l", "--format", names)
		// Docker: "Error response from daemon: invalid filter 'bogus'", exit 1.
		if r := d.Run(t, "ps", "--filter", "bogus=1"); r.Code != 1 || !strings.Contains(r.Stderr, "invalid filter 'bogus'") {
			t.Errorf("ps --filter bogus=1: %s", r)
		}
		// b's writable layer holds /f ("data\n"): Docker's "5B (virtual 1.2MB)" shape.
		size := d.OK(t, "ps", "-a", "-s", "--filter", "name=^b$", "--format", "{{.Size}}")
		if !regexp.MustCompile(`^[1-9][0-9]*(\.[0-9]+)?k?B \(virtual [0-9.]+[kM]B\)\n$`).MatchString(size) {
			t.Errorf("ps -s {{.Size}}: %q", size)
		}
		table := strings.Split(d.OK(t, "ps", "-s"), "\n")[0]
		if !strings.HasSuffix(table, "SIZE") {
			t.Errorf("ps -s header %q has no SIZE column", table)
		}
	})

	t.Run("port", func(t *testing.T) {
		expect("80/tcp -> 127.0.0.1:18491\n", "port", "a")
		expect("127.0.0.1:18491\n", "container", "port", "a", "80/tcp")
		if r := d.Run(t, "port", "a", "81"); r.Code != 1 || !strings.Contains(r.Stderr, "no public port '81/tcp' published for a") {
			t.Errorf("port a 81: %s", r)
		}
	})

	t.Run("top", func(t *testing.T) {
		out := d.OK(t, "top", "a")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || !regexp.MustCompile(`^UID +PID +PPID +C +STIME +TTY +TIME +CMD$`).MatchString(lines[0]) ||
			!regexp.MustCompile(`^root +[0-9]+ +[0-9]+ +[0-9]+ +\S+ +\? +\d\d:\d\d:\d\d +sleep 100$`).MatchString(lines[1]) {
			t.Errorf("top a:\n%s", out)
		}
		out = d.OK(t, "container", "top", "a", "-o", "pid,comm")
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 ||
			!regexp.MustCompile(`^ *PID +COMMAND$`).MatchString(lines[0]) || !regexp.MustCompile(`^ *[0-9]+ +sleep$`).MatchString(lines[1]) {
			t.Errorf("top a -o pid,comm:\n%s", out)
		}
		if r := d.Run(t, "top", "c"); r.Code != 1 || !strings.Contains(r.Stderr, "is not running") {
			t.Errorf("top of a created container: %s", r)
		}
	})

	t.Run("rename", func(t *testing.T) {
		d.OK(t, "rename", "a", "web")
		if ci := d.Inspect(t, idA); ci.Name != "web" {
			t.Errorf("after rename the name is %q", ci.Name)
		}
		expect("web\n", "ps", "--format", names)
		// Docker: the name is in use by another container; exit 1.
		if r := d.Run(t, "container", "rename", "c", "web"); r.Code != 1 || !strings.Contains(r.Stderr, `"web" is already in use`) {
			t.Errorf("rename to a taken name: %s", r)
		}
		d.OK(t, "container", "rename", "b", "a") // the old name is free again
		expect("a\n", "ps", "-a", "--filter", "exited=3", "--format", names)
	})

	t.Run("short ids and container aliases", func(t *testing.T) {
		expect("/web\n", "container", "inspect", "--format", "{{.Name}}", idA[:5]) // Docker's leading slash
		if ids := strings.Fields(d.OK(t, "container", "ls", "-a", "-q", "--filter", "ancestor="+img)); len(ids) != 3 || ids[2] != idA[:12] {
			t.Errorf("container ls -a -q: %q", ids)
		}
		d.OK(t, "container", "stop", "-t", "1", idA[:12])
		expect("a\nweb\n", "ps", "-a", "--filter", "exited=137", "--filter", "exited=3", "--format", names)
		d.OK(t, "container", "rm", idA[:8])
		if r := d.Run(t, "inspect", idA); r.Code == 0 {
			t.Errorf("container rm by prefix left the container: %s", r)
		}
	})

	t.Run("images, tag and history", func(t *testing.T) {
		d.OK(t, "tag", img, "mybox:1")
		d.OK(t, "tag", img, "mybox:2")
		expect("mybox:1\nmybox:2\n", "images", "mybox", "--format", "{{.Repository}}:{{.Tag}}")
		expect("mybox:2\n", "images", "--filter", "reference=my*:2", "--format", "{{.Repository}}:{{.Tag}}")
		expect("", "images", "--filter", "dangling=true", "-q")
		if r := d.Run(t, "images", "--filter", "bogus=1"); r.Code != 1 || !strings.Contains(r.Stderr, "invalid filter 'bogus'") {
			t.Errorf("images --filter bogus=1: %s", r)
		}
		header := strings.SplitN(d.OK(t, "images", "--digests", "mybox:1"), "\n", 2)[0]
		if !regexp.MustCompile(`^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$`).MatchString(header) {
			t.Errorf("images --digests header %q", header)
		}
		if hist := d.OK(t, "history", "mybox:1"); !strings.HasPrefix(hist, "IMAGE") {
			t.Errorf("history: %q", hist)
		}
	})
}
