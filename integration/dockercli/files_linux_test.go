package dockercli

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestFiles: docker cp both ways (a file, a directory, a missing path),
// diff, commit with a change and a message, export and import of the
// exported tar with a CMD.
func TestFiles(t *testing.T) {
	c := newCLI(t)
	host := t.TempDir()
	c.ok(t, "run", "-d", "--name", "box", "busybox", "sh", "-c",
		"echo hello > /tmp/greeting; mkdir -p /tmp/d; echo in-d > /tmp/d/f; touch /tmp/ready; sleep 300")
	if !testutil.Eventually(30*time.Second, func() bool { return c.run(nil, nil, "exec", "box", "test", "-e", "/tmp/ready").code == 0 }) {
		t.Fatal("the container did not write its files")
	}

	// Out of the container: a file to a new name, a directory into one.
	c.ok(t, "cp", "box:/tmp/greeting", filepath.Join(host, "copied"))
	c.ok(t, "cp", "box:/tmp/d", host+"/")
	for file, want := range map[string]string{"copied": "hello\n", "d/f": "in-d\n"} {
		if b, err := os.ReadFile(filepath.Join(host, file)); err != nil || string(b) != want {
			t.Errorf("docker cp out, %s: %q %v, want %q", file, b, err, want)
		}
	}
	// Into the container.
	if err := os.WriteFile(filepath.Join(host, "up.txt"), []byte("uploaded\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	c.ok(t, "cp", filepath.Join(host, "up.txt"), "box:/tmp/")
	if got := c.ok(t, "exec", "box", "sh", "-c", "cat /tmp/up.txt; stat -c %a /tmp/up.txt"); got != "uploaded\n640\n" {
		t.Errorf("docker cp in: the container reads %q", got)
	}
	if r := c.run(nil, nil, "cp", "box:/nope", host); r.code == 0 || !strings.Contains(r.stderr, "/nope") {
		t.Errorf("docker cp of a missing path: %v, want an error naming it", r)
	}

	// diff lists what the container added.
	diff := c.ok(t, "diff", "box")
	for _, want := range []string{"C /tmp", "A /tmp/greeting", "A /tmp/up.txt", "A /tmp/d/f"} {
		if !slices.Contains(strings.Split(diff, "\n"), want) {
			t.Errorf("docker diff lacks %q:\n%s", want, diff)
		}
	}

	// commit keeps the files, applies the change and records the message.
	c.ok(t, "commit", "-c", "ENV COMMITTED=yes", "-m", "snapshot of box", "box", "snap:v1")
	if got := c.ok(t, "run", "--rm", "snap:v1", "sh", "-c", "cat /tmp/greeting; echo $COMMITTED"); got != "hello\nyes\n" {
		t.Errorf("run of the committed image: %q", got)
	}
	if hist := c.ok(t, "history", "--format", "{{.Comment}}", "snap:v1"); !strings.Contains(hist, "snapshot of box") {
		t.Errorf("docker history of the commit lacks its message: %q", hist)
	}

	// export is the filesystem as a tar; import makes an image of it.
	tarPath := filepath.Join(host, "box.tar")
	c.ok(t, "export", "-o", tarPath, "box")
	names := tarNames(t, tarPath)
	for _, want := range []string{"tmp/greeting", "tmp/up.txt", "bin/busybox"} {
		if !slices.Contains(names, want) {
			t.Errorf("docker export lacks %s (%d entries)", want, len(names))
		}
	}
	c.ok(t, "import", "-c", `CMD ["cat", "/tmp/greeting"]`, "-m", "imported", tarPath, "imported:v1")
	if got := c.ok(t, "run", "--rm", "imported:v1"); got != "hello\n" {
		t.Errorf("run of the imported image: %q", got)
	}
	c.ok(t, "rm", "-f", "box")
	c.ok(t, "rmi", "snap:v1", "imported:v1")
}

// tarNames lists a tar's entries without a leading "./" or "/".
func tarNames(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		names = append(names, strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/"))
	}
}

// TestRunFlags: the run flags that map onto HostConfig fields take effect
// in the container and inspect shows them back; a HostConfig field we do
// not honour is refused by name.
func TestRunFlags(t *testing.T) {
	c := newCLI(t)
	got := c.ok(t, "run", "--rm", "--ulimit", "nofile=123:456", "--sysctl", "net.ipv4.ip_forward=1",
		"--shm-size", "8m", "--group-add", "1234", "--device", "/dev/null:/dev/nul2",
		"busybox", "sh", "-c", "ulimit -n; cat /proc/sys/net/ipv4/ip_forward; id -G; df -k /dev/shm | tail -1; test -c /dev/nul2 && echo dev")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 5 || lines[0] != "123" || lines[1] != "1" || !slices.Contains(strings.Fields(lines[2]), "1234") ||
		!strings.Contains(lines[3], " 8192 ") || lines[4] != "dev" {
		t.Errorf("docker run with --ulimit --sysctl --group-add --shm-size --device: %q", got)
	}

	c.ok(t, "create", "--name", "flags", "--ulimit", "nproc=50", "--pid", "host", "--ipc", "shareable", "--uts", "host",
		"--log-driver", "none", "--shm-size", "16m", "busybox", "true")
	insp := c.ok(t, "inspect", "-f", "{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} "+
		"{{.HostConfig.LogConfig.Type}} {{range .HostConfig.Ulimits}}{{.Name}}={{.Soft}}:{{.Hard}}{{end}} {{.HostConfig.ShmSize}}", "flags")
	if strings.TrimSpace(insp) != "host shareable host none nproc=50:50 16777216" {
		t.Errorf("docker inspect of the run flags: %q", insp)
	}
	c.ok(t, "rm", "flags")

	c.ok(t, "run", "--rm", "--device-cgroup-rule", "c 1:3 rwm", "busybox", "true")
	if r := c.run(nil, nil, "run", "--rm", "--device-cgroup-rule", "a 1:3 r", "busybox", "true"); r.code == 0 || !strings.Contains(r.stderr, "invalid device cgroup rule") {
		t.Errorf("docker run --device-cgroup-rule 'a 1:3 r' (every device to the kernel): %v, want a refusal", r)
	}
}
