//go:build conformance

package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// programTimeout bounds one validation program. The slowest
// (linux_cgroups_memory, 10 containers) takes about 15 s here; a program
// that waits for a state that never comes gives up after 10 s per wait.
const programTimeout = 2 * time.Minute

// TestRuntimeTools builds the pinned validation suite and our runtime,
// runs every validation program against the runtime, and fails on every
// failure allowlist.go does not explain.
func TestRuntimeTools(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireTool(t, "go")
	testutil.RequireTool(t, "tar")
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" {
		testutil.Missing(t, "the suite ships its busybox rootfs for amd64 and 386 only, not %s", runtime.GOARCH)
	}
	work := t.TempDir()
	oci := buildRuntime(t, work)
	programs := buildSuite(t, work)

	// The programs make their bundles under $TMPDIR: a mount left on one
	// fails the test (and its directory's cleanup).
	// linux_ns_nopath runs as a mapped root, which must be able to
	// reach its bundle: every directory on the way is searchable.
	tmp := filepath.Join(t.TempDir(), "bundles")
	if err := os.Mkdir(tmp, 0o711); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Dir(tmp), filepath.Dir(filepath.Dir(tmp))} {
		if err := os.Chmod(dir, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(removeSuiteCgroupParents)
	var rows []string
	for _, name := range programs {
		t.Run(name, func(t *testing.T) {
			r, out := runProgram(t, work, name, oci, tmp)
			unexplained, passing := judge(name, r.problems())
			verdict := "pass"
			switch {
			case len(unexplained) > 0:
				verdict = "FAIL"
			case len(r.problems()) > 0:
				verdict = "FAIL (allowlisted)"
			}
			rows = append(rows, fmt.Sprintf("%-36s %4d ok %3d not ok  exit %d  %s", name, r.passed, r.failed, r.exitCode, verdict))
			for _, e := range passing {
				t.Logf("allowlisted failure did not happen this run: %s (%s); if it never does again, remove it from allowlist_test.go", e.match, e.reason)
			}
			if len(unexplained) > 0 {
				t.Errorf("%s failed: %s\n%s", name, strings.Join(unexplained, "; "), out)
			}
		})
	}
	t.Logf("runtime-tools results:\n%s", strings.Join(rows, "\n"))
	// Some programs leave their bundle directory (the suite's own
	// clean-up); no mount may be left on one.
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		if strings.Contains(line, tmp) {
			t.Errorf("mount left under the bundles: %s", line)
		}
	}
}

// buildRuntime builds container-runtime-oci from this checkout into dir.
func buildRuntime(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "container-runtime-oci")
	goBuild(t, "../..", nil, "-o", out, "./cmd/container-runtime-oci")
	return out
}

// buildSuite builds runtimetest (static: it runs inside the busybox
// rootfs) and every validation program of the pinned runtime-tools into
// dir, copies the suite's rootfs tarball there, and returns the
// programs' names, sorted.
func buildSuite(t *testing.T, dir string) []string {
	t.Helper()
	const mod = "github.com/opencontainers/runtime-tools"
	// go mod download, not go list -m: on a clean module cache list
	// reports an empty Dir for a module not downloaded yet.
	var dl struct{ Dir, Error string }
	if err := json.Unmarshal([]byte(goOutput(t, "tools", "mod", "download", "-json", mod)), &dl); err != nil || dl.Dir == "" {
		t.Fatalf("downloading %s: %v %s", mod, err, dl.Error)
	}
	src := dl.Dir
	entries, err := os.ReadDir(filepath.Join(src, "validation"))
	if err != nil {
		t.Fatalf("reading the suite's validation programs: %v", err)
	}
	var names, pkgs []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "util" {
			names = append(names, e.Name())
			pkgs = append(pkgs, mod+"/validation/"+e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatalf("no validation program under %s", src)
	}
	goBuild(t, "tools", []string{"CGO_ENABLED=0"}, "-o", filepath.Join(dir, "runtimetest"), mod+"/cmd/runtimetest")
	// One go build for every program: it compiles the shared packages
	// once and links the programs in parallel.
	goBuild(t, "tools", nil, append([]string{"-o", dir + "/"}, pkgs...)...)
	tarball := "rootfs-" + runtime.GOARCH + ".tar.gz"
	data, err := os.ReadFile(filepath.Join(src, tarball))
	if err != nil {
		t.Fatalf("reading the suite's rootfs: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, tarball), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return names
}

// runProgram runs one validation program from dir (where it finds
// runtimetest and the rootfs tarball) against the runtime oci.
func runProgram(t *testing.T, dir, name, oci, tmp string) (result, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), programTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, name))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RUNTIME="+oci, "TMPDIR="+tmp)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", name, err)
	}
	if ctx.Err() != nil {
		t.Errorf("%s did not finish within %s", name, programTimeout)
	}
	return parseTAP(string(out), code), string(out)
}

// goBuild runs `go build args...` in dir with extra environment.
func goBuild(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

// goOutput runs `go args...` in dir and returns its standard output.
func goOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, exit.Stderr)
		}
		t.Fatalf("go %s (in %s): %v", strings.Join(args, " "), dir, err)
	}
	return string(out)
}

// removeSuiteCgroupParents removes the parents of the relative cgroups
// paths the suite uses (testdir/cgrouptest/container): the runtime removes
// the container's cgroup at delete, not the directories above it, as runc
// does. Busy or absent directories are left as they are.
func removeSuiteCgroupParents() {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/testdir")
	for _, dir := range dirs {
		_ = os.Remove(filepath.Join(dir, "cgrouptest"))
		_ = os.Remove(dir)
	}
}
