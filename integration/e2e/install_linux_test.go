package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// installTimeout bounds one run of scripts/install (it bootstraps base).
const installTimeout = 10 * time.Minute

// installation is scripts/install's target, redirected into a temporary
// directory by the scripts' environment overrides.
type installation struct {
	dir                                                string
	net                                                daemon.Network
	src                                                string // what `make build` leaves: bin/, README.md, packaging/
	prefix, bindir, etc, rundir, lib, pidfile, logfile string
}

// env is the scripts' environment.
func (in *installation) env() []string {
	return append(os.Environ(),
		"PREFIX="+in.prefix, "BINDIR="+in.bindir, "ETCDIR="+in.etc, "RUNDIR="+in.rundir,
		"PIDFILE="+in.pidfile, "LOGFILE="+in.logfile, "INSTALL_PATH="+in.lib,
		"USE_SYSTEMD=no", "CRT_GROUP=", "DAEMON_ARGS="+strings.Join(in.net.Flags(), " "),
		// uninstall with PURGE=1 removes these, and only these.
		"BRIDGE_NAME="+in.net.Bridge, "BRIDGE_PREFIX="+in.net.Bridge+"-", "NFT_TABLE="+in.net.Table,
		// Completion and man pages (scripts/install generates them).
		"BASH_COMPLETION_DIR="+filepath.Join(in.dir, "bash-completion"), "ZSH_COMPLETION_DIR="+filepath.Join(in.dir, "zsh"),
		"MANDIR="+filepath.Join(in.dir, "man"))
}

// docs are the completion scripts and a man page the install puts in place.
func (in *installation) docs() []string {
	return []string{filepath.Join(in.dir, "bash-completion", "container-runtime"), filepath.Join(in.dir, "zsh", "_container-runtime"),
		filepath.Join(in.dir, "man", "man1", "container-runtime-run.1"), filepath.Join(in.dir, "man", "man1", "container-runtime.1")}
}

// script runs scripts/NAME from the staged source directory, with env
// (KEY=VALUE) added to the scripts' environment.
func (in *installation) script(t testing.TB, name string, env ...string) daemon.Result {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("../../scripts", name))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", path)
	cmd.Dir, cmd.Env = in.src, append(in.env(), env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := daemon.Result{Args: []string{"sh", path}, Stdout: stdout.String(), Stderr: stderr.String()}
	if cmd.ProcessState != nil {
		r.Code = cmd.ProcessState.ExitCode()
	} else {
		r.Code = -1
		r.Stderr += err.Error()
	}
	if ctx.Err() != nil {
		r.Code, r.TimedOut = -1, true
	}
	return r
}

// cli runs the installed CLI against the installed daemon.
func (in *installation) cli(t testing.TB, args ...string) daemon.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), daemon.CmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(in.bindir, "container-runtime"), args...)
	cmd.Env = append(os.Environ(), "CONTAINER_RUNTIME_HOST=unix://"+filepath.Join(in.rundir, "container-runtimed.sock"))
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	return daemon.Result{Args: args, Code: code, Stdout: stdout.String(), Stderr: stderr.String()}
}

// daemonPid returns the pid in the installed daemon's pidfile (0: none).
func (in *installation) daemonPid() int {
	b, err := os.ReadFile(in.pidfile)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// copyFile copies src to dst with mode.
func copyFile(t testing.TB, src, dst string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, mode); err != nil {
		t.Fatal(err)
	}
}

// TestInstallScripts runs scripts/install (what `make install` runs after
// the build) into a temporary directory: the daemon answers, a first
// container runs on base, a second install is harmless to a running
// container, and scripts/uninstall removes the installation but leaves the
// user's data.
func TestInstallScripts(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.SkipShort(t, "bootstraps the Debian base image")
	testutil.RequireTool(t, "debootstrap")
	dir, err := os.MkdirTemp("", "crt-install-")
	if err != nil {
		t.Fatal(err)
	}
	in := &installation{
		dir: dir, src: filepath.Join(dir, "src"), net: daemon.NewNetwork(),
		prefix: filepath.Join(dir, "opt"), bindir: filepath.Join(dir, "bin"),
		etc: filepath.Join(dir, "etc"), rundir: filepath.Join(dir, "run"), lib: filepath.Join(dir, "lib"),
		pidfile: filepath.Join(dir, "run", "container-runtimed.pid"), logfile: filepath.Join(dir, "daemon.log"),
	}
	t.Cleanup(func() { in.cleanup(t) })
	cli, daemonBin, oci := daemon.Bins()
	copyFile(t, cli, filepath.Join(in.src, "bin", "container-runtime"), 0o755)
	copyFile(t, daemonBin, filepath.Join(in.src, "bin", "container-runtimed"), 0o755)
	copyFile(t, oci, filepath.Join(in.src, "bin", "container-runtime-oci"), 0o755)
	copyFile(t, daemon.StageBin(), filepath.Join(in.src, "bin", "container-runtime-init"), 0o755)
	copyFile(t, "../../README.md", filepath.Join(in.src, "README.md"), 0o644)
	copyFile(t, "../../packaging/container-runtimed.service", filepath.Join(in.src, "packaging", "container-runtimed.service"), 0o644)
	if err := os.MkdirAll(in.bindir, 0o755); err != nil {
		t.Fatal(err)
	}
	daemon.SeedBootstrapCache(t, in.lib)

	r := in.script(t, "install")
	if r.Code != 0 {
		b, _ := os.ReadFile(in.logfile)
		t.Fatalf("%v\ndaemon log:\n%s", r, b)
	}
	for name, target := range map[string]string{"container-runtime": "client", "container-runtimed": "daemon", "container-runtime-oci": "oci"} {
		if got, err := os.Readlink(filepath.Join(in.bindir, name)); err != nil || got != filepath.Join(in.prefix, target) {
			t.Errorf("%s/%s links to %q (%v), want %s/%s", in.bindir, name, got, err, in.prefix, target)
		}
	}
	if b, err := os.ReadFile(filepath.Join(in.etc, ".env")); err != nil || !strings.Contains(string(b), "INSTALL_PATH="+in.lib) {
		t.Errorf(".env: %q, %v; want INSTALL_PATH=%s", b, err, in.lib)
	}
	for _, p := range in.docs() {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("install did not put %s in place (%v)", p, err)
		}
	}
	pid := in.daemonPid()
	if !alive(pid) {
		t.Fatalf("no daemon running after install (pidfile: %d)", pid)
	}
	if r := in.cli(t, "version"); r.Code != 0 {
		t.Fatalf("the installed daemon does not answer: %v", r)
	}
	if r := in.cli(t, "run", "--rm", "base", "echo", "hello"); r.Code != 0 || r.Stdout != "hello\n" {
		t.Fatalf("the first container: %v", r)
	}
	// Container processes start from the installed container-runtime-init
	// (the daemon logs when it has to use its own binary instead).
	if st, err := os.Stat(filepath.Join(in.prefix, "container-runtime-init")); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("install did not put container-runtime-init next to the daemon: %v", err)
	}
	if b, _ := os.ReadFile(in.logfile); strings.Contains(string(b), "start from the daemon's binary") {
		t.Errorf("the installed daemon does not use container-runtime-init:\n%s", b)
	}
	// The images and containers live in INSTALL_PATH.
	if _, err := os.Stat(filepath.Join(in.lib, "containers.db")); err != nil {
		t.Errorf("INSTALL_PATH %s holds no containers.db: %v", in.lib, err)
	}

	// Install again: the daemon restarts, a running container survives.
	if r := in.cli(t, "run", "-d", "--name", "keeper", "base", "sleep", "1000"); r.Code != 0 {
		t.Fatalf("run -d: %v", r)
	}
	if r := in.script(t, "install"); r.Code != 0 {
		t.Fatalf("second install: %v", r)
	}
	if pid2 := in.daemonPid(); !alive(pid2) || pid2 == pid {
		t.Errorf("after the second install the daemon is pid %d (alive %v), before %d: want a new one", pid2, alive(pid2), pid)
	}
	if alive(pid) {
		t.Errorf("the first daemon (pid %d) still runs after the second install", pid)
	}
	if r := in.cli(t, "ps"); !strings.Contains(r.Stdout, "keeper") {
		t.Errorf("keeper is not listed after the second install: %v", r)
	}
	if r := in.cli(t, "image", "list"); strings.Count(r.Stdout, "\nbase ") != 1 {
		t.Errorf("image list after the second install, want base once: %v", r)
	}
	if r := in.cli(t, "rm", "-f", "keeper"); r.Code != 0 {
		t.Errorf("rm -f keeper: %v", r)
	}

	// Uninstall: the programs go, the data stays.
	pid = in.daemonPid()
	if r := in.script(t, "uninstall"); r.Code != 0 {
		t.Fatalf("uninstall: %v", r)
	}
	if !testutil.Eventually(10*time.Second, func() bool { return !alive(pid) }) {
		t.Errorf("the daemon (pid %d) still runs after uninstall", pid)
	}
	for _, p := range append([]string{in.prefix, filepath.Join(in.bindir, "container-runtime"), filepath.Join(in.bindir, "container-runtimed")}, in.docs()...) {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there after uninstall", p)
		}
	}
	for _, p := range []string{filepath.Join(in.lib, "metadata.db"), filepath.Join(in.lib, "containers.db"), filepath.Join(in.etc, ".env")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("uninstall removed user data: %v", err)
		}
	}

	// PURGE=1 removes the data too.
	if r := in.script(t, "uninstall", "PURGE=1"); r.Code != 0 {
		t.Fatalf("uninstall with PURGE=1: %v", r)
	}
	for _, p := range []string{in.lib, in.etc} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is still there after uninstall with PURGE=1", p)
		}
	}
}

// cleanup stops a daemon the scripts left running (a descendant of this
// test), unmounts and removes the directory.
func (in *installation) cleanup(t testing.TB) {
	if pid := in.daemonPid(); alive(pid) {
		t.Errorf("a daemon (pid %d) is still running at the end", pid)
		syscall.Kill(pid, syscall.SIGTERM)
		if !testutil.Eventually(daemon.ShutdownTimeout, func() bool { return !alive(pid) }) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, pid := range daemon.MonitorsOf(in.rundir) {
		t.Errorf("monitor %d still running at the end", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
	mounts := daemon.MountsUnder(in.dir)
	for i := len(mounts) - 1; i >= 0; i-- {
		t.Errorf("mount %s left at the end", mounts[i])
		syscall.Unmount(mounts[i], syscall.MNT_DETACH)
	}
	for _, port := range in.net.Ports() {
		t.Errorf("interface %s still on bridge %s at the end", port, in.net.Bridge)
	}
	in.net.Remove(t)
	if err := os.RemoveAll(in.dir); err != nil {
		t.Errorf("cleanup: %v", fmt.Errorf("removing %s: %w", in.dir, err))
	}
}
