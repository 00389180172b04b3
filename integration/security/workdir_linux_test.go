package security

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// cwdScript prints where the process's cwd is, then whether the host's
// core_pattern is writable from it (test -w is access(2): nothing is
// written). From a cwd in the host's /proc/<pid>/fd, ../../sys/kernel is
// the host's /proc/sys/kernel.
const cwdScript = `echo "cwd=$(readlink /proc/self/cwd)"; ` +
	`if test -w ../../sys/kernel/core_pattern; then echo ESCAPED; else echo contained; fi`

// hostProcPath is what readlink /proc/self/cwd shows for a cwd in the
// host's procfs: /<host pid>/fd, or a path marked unreachable.
var hostProcPath = regexp.MustCompile(`^cwd=(/[0-9]+/(fd|task)|.*unreachable)`)

// checkWorkdir fails t if the process got out through its working
// directory; it must be refused with an error naming the working
// directory, or run contained.
func checkWorkdir(t *testing.T, what string, r daemon.Result) {
	t.Helper()
	out := r.Stdout + r.Stderr
	if strings.Contains(out, "ESCAPED") || hostProcPath.MatchString(strings.TrimSpace(r.Stdout)) {
		t.Fatalf("%s: the container reached the host through its working directory: %v", what, r)
	}
	if r.Code == 0 {
		if !strings.Contains(r.Stdout, "contained") {
			t.Fatalf("%s: exit 0 but the script did not run: %v", what, r)
		}
		return
	}
	t.Logf("%s: refused: %s", what, strings.TrimSpace(r.Stderr))
	if !strings.Contains(out, "cwd") {
		t.Errorf("%s: refused without naming the working directory: %v", what, r)
	}
}

// TestCVE_2024_21626_WorkdirProcSelfFd guards against CVE-2024-21626
// (runc's "Leaky Vessels"): a working directory of /proc/self/fd/N, N
// being a directory descriptor the runtime still holds when it changes
// directory, leaves the container's process with its cwd in the host's
// tree, from which ../../sys/kernel/core_pattern is the host's. Every N
// from 3 to 20 is tried through the daemon and CLI with `run -w`,
// `create -w` + `start`, `exec -w`, and an image built with
// `WORKDIR /proc/self/fd/N`.
func TestCVE_2024_21626_WorkdirProcSelfFd(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)
	d.OK(t, "run", "-d", "--name", "victim", "--network", "none", img, "sleep", "600")
	t.Cleanup(func() { d.Run(t, "rm", "-f", "victim") })
	for n := 3; n <= 20; n++ {
		wd := "/proc/self/fd/" + strconv.Itoa(n)
		t.Run(fmt.Sprintf("run/%d", n), func(t *testing.T) {
			r := d.Run(t, "run", "--rm", "--network", "none", "-w", wd, img, "sh", "-c", cwdScript)
			checkWorkdir(t, "run -w "+wd, r)
		})
		t.Run(fmt.Sprintf("create-start/%d", n), func(t *testing.T) {
			name := fmt.Sprintf("cs%d", n)
			r := d.Run(t, "create", "--name", name, "--network", "none", "-w", wd, img, "sh", "-c", cwdScript)
			t.Cleanup(func() { d.Run(t, "rm", "-f", name) })
			if r.Code != 0 {
				checkWorkdir(t, "create -w "+wd, r)
				return
			}
			checkWorkdir(t, "start -a of create -w "+wd, d.Run(t, "start", "-a", name))
		})
		t.Run(fmt.Sprintf("exec/%d", n), func(t *testing.T) {
			r := d.Run(t, "exec", "-w", wd, "victim", "sh", "-c", cwdScript)
			checkWorkdir(t, "exec -w "+wd, r)
		})
		t.Run(fmt.Sprintf("image-workdir/%d", n), func(t *testing.T) {
			dir := t.TempDir()
			dockerfile := fmt.Sprintf("FROM %s\nWORKDIR %s\nCMD [\"sh\", \"-c\", %q]\n", img, wd, cwdScript)
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
				t.Fatal(err)
			}
			tag := fmt.Sprintf("workdir%d", n)
			b := d.Run(t, "build", "-t", tag, dir)
			if b.Code != 0 {
				// Refusing the WORKDIR at build is as good as at run.
				checkWorkdir(t, "build with WORKDIR "+wd, b)
				return
			}
			t.Cleanup(func() { d.Run(t, "rmi", tag) })
			checkWorkdir(t, "run of an image with WORKDIR "+wd, d.Run(t, "run", "--rm", "--network", "none", tag))
		})
	}
}

// TestCVE_2024_21626_OCIProcessCwd is the same attack through
// container-runtime-oci, runc's command line: config.json's process.cwd
// is /proc/self/fd/N for every N from 3 to 20.
func TestCVE_2024_21626_OCIProcessCwd(t *testing.T) {
	testutil.RequireRoot(t)
	_, _, oci := daemon.Bins()
	bundle := t.TempDir()
	state := t.TempDir()
	if err := busyboxfs.Create(filepath.Join(bundle, "rootfs")); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(oci, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		t.Fatalf("spec: %v\n%s", err, out)
	}
	var spec specs.Spec
	b, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	spec.Process.Terminal = false
	spec.Process.Args = []string{"sh", "-c", cwdScript}
	for n := 3; n <= 20; n++ {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			spec.Process.Cwd = "/proc/self/fd/" + strconv.Itoa(n)
			b, err := json.Marshal(&spec)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprintf("cwd-%d-%d", os.Getpid(), n)
			cmd := exec.Command(oci, "--root", state, "run", "--bundle", bundle, id)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			timer := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
			err = cmd.Run()
			timer.Stop()
			exec.Command(oci, "--root", state, "delete", "--force", id).Run()
			r := daemon.Result{Args: cmd.Args, Code: cmd.ProcessState.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String()}
			if err != nil && cmd.ProcessState == nil {
				t.Fatalf("running %s: %v", oci, err)
			}
			checkWorkdir(t, "container-runtime-oci run with process.cwd "+spec.Process.Cwd, r)
		})
	}
}
