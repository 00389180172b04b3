//go:build cgroupv2guest

package guest

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The guest's layout (package cgroupv2's Stage makes it).
const (
	ociBinary = "/usr/bin/container-runtime-oci"
	rootfs    = "/rootfs"
	stateRoot = "/run/cgroupv2-guest"
	// parent is the cgroup, under the cgroup2 root, that holds the test
	// containers' cgroups.
	parent     = "cgroupv2-guest"
	cgroupRoot = "/sys/fs/cgroup"
)

// ociBound bounds one runtime command: it fails the test instead of
// hanging the guest until the host's timeout.
const ociBound = 2 * time.Minute

// result is a finished runtime command.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

// oci runs container-runtime-oci with args, and stdin if not nil. It
// fails the test only if the command cannot run at all.
func oci(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ociBound)
	defer cancel()
	args = append([]string{"--root", stateRoot}, args...)
	cmd := exec.CommandContext(ctx, ociBinary, args...)
	// Files, not pipes: a detached container inherits its creator's
	// stdout and stderr, and Wait would wait for pipes it holds open.
	stdout, stderr := outputFile(t), outputFile(t)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	err := cmd.Run()
	r := result{args: args, stdout: readAll(t, stdout), stderr: readAll(t, stderr)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("container-runtime-oci %q did not end within %v; stderr: %s", args, ociBound, r.stderr)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("container-runtime-oci %q: %v", args, err)
	}
	return r
}

// outputFile returns a new empty file, removed (and closed) when the
// test ends.
func outputFile(t testing.TB) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readAll returns what was written to f.
func readAll(t testing.TB, f *os.File) string {
	t.Helper()
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// ok runs oci and fails the test unless it exits 0; it returns stdout.
func ok(t testing.TB, args ...string) string {
	t.Helper()
	r := oci(t, "", args...)
	if r.code != 0 {
		t.Fatalf("container-runtime-oci %q: exit %d\nstdout: %s\nstderr: %s", r.args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// container is a test container's bundle and cgroup.
type container struct {
	id     string
	bundle string
	cgroup string // its directory on the guest's cgroupfs
}

// newContainer writes a bundle for a busybox container running args under
// the limits r, from the runtime's own default spec (`spec`), and
// removes the container, if still there, when the test ends.
func newContainer(t *testing.T, id string, r *specs.LinuxResources, args ...string) *container {
	t.Helper()
	c := &container{
		id:     id,
		bundle: t.TempDir(),
		cgroup: filepath.Join(cgroupRoot, parent, id),
	}
	ok(t, "spec", "--bundle", c.bundle)
	config := filepath.Join(c.bundle, "config.json")
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatalf("the spec command's config.json: %v", err)
	}
	spec.Root.Path = rootfs
	spec.Process.Terminal = false
	spec.Process.Args = args
	spec.Linux.CgroupsPath = "/" + parent + "/" + id
	// Keep the spec's device rules (deny all, then the runtime's own):
	// on cgroup v2 they are an eBPF program, worth running for real.
	r.Devices = spec.Linux.Resources.Devices
	spec.Linux.Resources = r
	if data, err = json.MarshalIndent(&spec, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(stateRoot, id)); err == nil {
			oci(t, "", "delete", "--force", id)
		}
	})
	return c
}

// run runs the container in the foreground (run --keep: it stays, stopped,
// for its cgroup to be read) and returns the command's result.
func (c *container) run(t *testing.T, keep bool) result {
	t.Helper()
	args := []string{"run", "--bundle", c.bundle}
	if keep {
		args = append(args, "--keep")
	}
	return oci(t, "", append(args, c.id)...)
}

// start creates and starts the container, detached.
func (c *container) start(t *testing.T) {
	t.Helper()
	ok(t, "run", "--detach", "--bundle", c.bundle, c.id)
}

// exec runs args in the running container and returns their stdout.
func (c *container) exec(t *testing.T, args ...string) string {
	t.Helper()
	return ok(t, append([]string{"exec", c.id}, args...)...)
}

// state returns the runtime's state of the container.
func (c *container) state(t *testing.T) specs.State {
	t.Helper()
	var st specs.State
	if err := json.Unmarshal([]byte(ok(t, "state", c.id)), &st); err != nil {
		t.Fatalf("state %s: %v", c.id, err)
	}
	return st
}

// waitStopped polls the state until the container has stopped, or fails
// the test after ociBound.
func (c *container) waitStopped(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(ociBound)
	for c.state(t).Status != specs.StateStopped {
		if time.Now().After(deadline) {
			t.Fatalf("container %s still running after %v", c.id, ociBound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// read returns the trimmed content of one of the container's cgroup files.
func (c *container) read(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.cgroup, file))
	if err != nil {
		t.Fatalf("reading the container's cgroup: %v", err)
	}
	return strings.TrimSpace(string(data))
}

// keyed returns the value of key in a flat-keyed cgroup file
// (memory.events, pids.events: "key value" lines), "" if absent.
func keyed(content, key string) string {
	for _, line := range strings.Split(content, "\n") {
		if k, v, found := strings.Cut(line, " "); found && k == key {
			return v
		}
	}
	return ""
}

// requireGone fails the test if the container's cgroup directory exists.
func (c *container) requireGone(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(c.cgroup); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cgroup %s still there after delete (stat: %v)", c.cgroup, err)
	}
}

func ptr[T any](v T) *T { return &v }
