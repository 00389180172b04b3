package security

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/boltfile"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// This file kills the daemon with kill -9 at the moments where a crash
// can leave the most behind (a build's RUN, a layer commit, an import,
// with containers running) and damages its databases. After each, the
// daemon must start again on the same directories, and once the test
// cleaned up nothing may be left: mounts, cgroups, runtime state,
// network namespaces, veths, nftables rules, monitors, temporary
// directories (the harness checks its part at cleanup; crashCheck the
// rest).

// crashBaseline is what the host looked like before the crash.
type crashBaseline struct {
	tmpRootfs []string // /tmp/build-rootfs-* (where builds mounted before)
	nft       string   // the daemon's nftables table
}

func takeBaseline(t *testing.T, d *daemon.Daemon) crashBaseline {
	t.Helper()
	tmp, _ := filepath.Glob("/tmp/build-rootfs-*")
	return crashBaseline{tmpRootfs: tmp, nft: nftTable(t, d)}
}

// nftTable lists the daemon's nftables table without handles or
// counters, or "" when it does not exist.
func nftTable(t *testing.T, d *daemon.Daemon) string {
	t.Helper()
	testutil.RequireTool(t, "nft")
	out, err := exec.Command("nft", "list", "table", "ip", d.Net.Table).CombinedOutput()
	if err != nil {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if i := strings.Index(l, " counter packets"); i >= 0 {
			l = l[:i]
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// step is a build step's container as the runtime recorded it.
type step struct {
	id      string
	pid     int
	cgroups []string
}

// buildSteps returns the build steps the daemon's runtime has state for.
func buildSteps(d *daemon.Daemon) []step {
	entries, _ := os.ReadDir(filepath.Join(d.ExecRoot, "runtime"))
	var out []step
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "build-") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.ExecRoot, "runtime", e.Name(), "state.json"))
		if err != nil {
			continue // still being created
		}
		var st struct {
			Pid         int               `json:"pid"`
			CgroupPaths map[string]string `json:"cgroupPaths"`
		}
		if json.Unmarshal(b, &st) != nil || st.Pid == 0 {
			continue
		}
		s := step{id: e.Name(), pid: st.Pid}
		for _, p := range st.CgroupPaths {
			if !slices.Contains(s.cgroups, p) {
				s.cgroups = append(s.cgroups, p)
			}
		}
		out = append(out, s)
	}
	return out
}

// left returns what remains of the step: its cgroups and the processes
// in them.
func (s step) left() (cgroups []string, pids []int) {
	for _, cg := range s.cgroups {
		if _, err := os.Stat(cg); err != nil {
			continue
		}
		cgroups = append(cgroups, cg)
		b, _ := os.ReadFile(filepath.Join(cg, "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && !slices.Contains(pids, pid) {
				pids = append(pids, pid)
			}
		}
	}
	return cgroups, pids
}

// kill kills what is left of the step and removes its cgroups: for a
// test that fails before the restart cleaned it.
func (s step) kill() {
	for range 50 {
		cgs, pids := s.left()
		if len(cgs) == 0 {
			return
		}
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		for _, cg := range cgs {
			os.Remove(cg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// crashCheck reports what is left that the harness's own leak check does
// not look at: the build steps' processes, cgroups and state, mounts
// anywhere under the daemon's directories, network namespaces it
// recorded, nftables rules that were not there before, new
// /tmp/build-rootfs-* directories, staging leftovers in the store.
func crashCheck(t *testing.T, d *daemon.Daemon, before crashBaseline, steps []step) []string {
	t.Helper()
	var out []string
	for _, s := range steps {
		cgs, pids := s.left()
		for _, cg := range cgs {
			out = append(out, "cgroup of build step "+cg)
		}
		for _, pid := range pids {
			out = append(out, fmt.Sprintf("process %d of build step %s", pid, s.id))
		}
		if syscall.Kill(s.pid, 0) == nil {
			out = append(out, fmt.Sprintf("process %d of build step %s", s.pid, s.id))
		}
		if _, err := os.Stat(filepath.Join(d.ExecRoot, "runtime", s.id)); err == nil {
			out = append(out, "runtime state of build step "+s.id)
		}
	}
	for _, m := range daemon.MountsUnder(d.Dir) {
		out = append(out, "mount "+m)
	}
	for _, dir := range []string{
		filepath.Join(d.Root, "network", "netns"),
		filepath.Join(d.Root, "builder"),
		filepath.Join(d.Root, "tmp"),
	} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			out = append(out, "left in "+dir+": "+e.Name())
		}
	}
	tmp, _ := filepath.Glob("/tmp/build-rootfs-*")
	for _, p := range tmp {
		if !slices.Contains(before.tmpRootfs, p) {
			out = append(out, "temporary directory "+p)
		}
	}
	if now := nftTable(t, d); now != before.nft {
		out = append(out, fmt.Sprintf("nftables table %s changed:\nbefore:\n%s\nafter:\n%s", d.Net.Table, before.nft, now))
	}
	return out
}

// assertClean waits for crashCheck to report nothing.
func assertClean(t *testing.T, d *daemon.Daemon, before crashBaseline, steps []step) {
	t.Helper()
	var left []string
	testutil.Eventually(10*time.Second, func() bool {
		left = crashCheck(t, d, before, steps)
		return len(left) == 0
	})
	if len(left) > 0 {
		t.Errorf("left after the crash and the cleanup:\n%s\ndaemon log:\n%s", strings.Join(left, "\n"), d.Log())
	}
}

// removeAll removes every container with rm -f.
func removeAll(t *testing.T, d *daemon.Daemon) {
	t.Helper()
	list, err := d.Client.ContainerList(t.Context(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if r := d.Run(t, "rm", "-f", c.ID); r.Code != 0 {
			t.Errorf("rm -f %s after the restart: %v", c.Name, r)
		}
	}
}

// writeContext makes a build context with a Dockerfile.
func writeContext(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCrashKill9DuringBuildRun kills the daemon while a build's RUN step
// keeps writing files in a loop. Before, the step kept running after the
// crash (its process, its overlay mount in /tmp/build-rootfs-*, runtime
// state and cgroups), and every restart failed with "recovering image
// store: ... directory not empty" while it wrote. Now the restart kills
// the step through its recorded pid and cgroup, unmounts and removes its
// root, and starts; a build afterwards works; nothing is left.
func TestCrashKill9DuringBuildRun(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	before := takeBaseline(t, d)
	ctxDir := writeContext(t, "FROM "+img+"\nRUN i=0; echo looping; while :; do i=$((i+1)); echo $i > /f$((i % 500)); done\n")
	build := d.Background(t, "build", "-t", "never", ctxDir)
	var steps []step
	testutil.WaitFor(t, time.Minute, "the RUN step to write", func() bool {
		steps = buildSteps(d)
		return len(steps) == 1 && strings.Contains(build.Stdout()+build.Stderr(), "looping")
	})
	t.Cleanup(steps[0].kill)
	if _, pids := steps[0].left(); len(pids) == 0 {
		t.Fatalf("no process in the cgroups %v of build step %s", steps[0].cgroups, steps[0].id)
	}
	if mounts := daemon.MountsUnder(filepath.Join(d.Root, "builder")); len(mounts) != 1 {
		t.Errorf("the RUN step's root is not mounted under %s/builder: %v", d.Root, mounts)
	}
	time.Sleep(300 * time.Millisecond) // let it write
	d.Kill9(t)
	build.Wait(time.Minute)
	if syscall.Kill(steps[0].pid, 0) != nil {
		t.Fatal("the RUN step died with the daemon: this test no longer shows the crash it is about")
	}

	d.Start(t)
	if !strings.Contains(d.Log(), "build step left by a crash") {
		t.Errorf("the restart did not say it cleaned the build step:\n%s", d.Log())
	}
	// The restarted daemon builds.
	ok := writeContext(t, "FROM "+img+"\nRUN echo after > /after\n")
	d.OK(t, "build", "-t", "after", ok)
	removeAll(t, d)
	assertClean(t, d, before, steps)
}

// TestCrashKill9DuringLayerCommit kills the daemon while a build commits
// a big layer (the CLI has no commit verb: a build's layer commit is the
// commit there is). The restart must start, the half-committed layer must
// not be listed or left staged, and a rebuild works.
func TestCrashKill9DuringLayerCommit(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	before := takeBaseline(t, d)
	// 128 MiB: hashing the layer's tar takes a while.
	ctxDir := writeContext(t, "FROM "+img+"\n"+
		"RUN mkdir /big && for i in $(seq 1 128); do head -c 1048576 /dev/urandom > /big/$i; done; echo filled\n")
	build := d.Background(t, "build", "-t", "big", ctxDir)
	testutil.WaitFor(t, 5*time.Minute, "the RUN step to end", func() bool {
		return strings.Contains(build.Stdout()+build.Stderr(), "filled")
	})
	steps := buildSteps(d)
	d.Kill9(t)
	r := build.Wait(time.Minute)
	if r.Code == 0 {
		t.Log("the build finished before the kill; the restart is still checked")
	}
	d.Start(t)
	if r.Code != 0 {
		if res := d.Run(t, "image", "inspect", "big"); res.Code == 0 {
			t.Errorf("the image of a build killed during its commit is listed: %v", res)
		}
	}
	d.OK(t, "build", "-t", "big2", writeContext(t, "FROM "+img+"\nRUN echo small > /small\n"))
	removeAll(t, d)
	assertClean(t, d, before, steps)
}

// slowTar streams a root filesystem tar with one big file, slowly: the
// import is still reading when the daemon is killed. started is closed
// once the first MiB went out.
type slowTar struct {
	pr      *io.PipeReader
	started chan struct{}
}

func newSlowTar(ctx context.Context) *slowTar {
	pr, pw := io.Pipe()
	s := &slowTar{pr: pr, started: make(chan struct{})}
	go func() {
		tw := tar.NewWriter(pw)
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "bin/", Mode: 0o755})
		const size = 512 << 20
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/big", Mode: 0o644, Size: size}); err != nil {
			pw.CloseWithError(err)
			return
		}
		chunk := make([]byte, 64<<10)
		rand.Read(chunk)
		for written := 0; written < size; written += len(chunk) {
			if ctx.Err() != nil {
				pw.CloseWithError(ctx.Err())
				return
			}
			if _, err := tw.Write(chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
			if written == 1<<20 {
				close(s.started)
			}
			time.Sleep(2 * time.Millisecond)
		}
		tw.Close()
		pw.Close()
	}()
	return s
}

func (s *slowTar) Read(p []byte) (int, error) { return s.pr.Read(p) }

// TestCrashKill9DuringImport kills the daemon while `image import -`
// streams a large tar slowly. The restart must start, no half-imported
// layer may stay staged, and an import afterwards works.
func TestCrashKill9DuringImport(t *testing.T) {
	d := daemon.New(t)
	before := takeBaseline(t, d)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	src := newSlowTar(ctx)
	cmd := d.Command(ctx, "image", "import", "-", "halfway")
	cmd.Stdin = src
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-src.started:
	case <-time.After(time.Minute):
		t.Fatal("the import did not start reading")
	}
	testutil.WaitFor(t, time.Minute, "the import to stage a layer", func() bool {
		entries, _ := os.ReadDir(filepath.Join(d.Root, "tmp"))
		return len(entries) > 0
	})
	d.Kill9(t)
	cancel()
	if err := cmd.Wait(); err == nil {
		t.Fatalf("the import succeeded although the daemon was killed: %s", out.String())
	}
	d.Start(t)
	if r := d.Run(t, "image", "inspect", "halfway"); r.Code == 0 {
		t.Errorf("the half-imported image is listed: %v", r)
	}
	d.Busybox(t) // an import after the restart
	assertClean(t, d, before, nil)
}

// TestCrashKill9WithRunningContainers kills the daemon while containers
// run (one on the bridge network, one without network). They survive,
// the restarted daemon lists them running with the same pids, stops
// them, and after their removal nothing of them is left (veths, netns,
// nftables rules, cgroups, mounts, monitors).
func TestCrashKill9WithRunningContainers(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	before := takeBaseline(t, d)
	d.OK(t, "run", "-d", "--name", "bridged", img, "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "isolated", "--network", "none", img, "sleep", "1000")
	pids := map[string]int{}
	for _, n := range []string{"bridged", "isolated"} {
		pids[n] = d.Inspect(t, n).Pid
	}
	d.Kill9(t)
	for n, pid := range pids {
		if err := syscall.Kill(pid, 0); err != nil {
			t.Fatalf("container %s (pid %d) died with the daemon: %v", n, pid, err)
		}
	}
	d.Start(t)
	for n, pid := range pids {
		in := d.Inspect(t, n)
		if in.State != "running" || in.Pid != pid {
			t.Errorf("%s after the restart: %s pid %d, want running pid %d", n, in.State, in.Pid, pid)
		}
		d.OK(t, "stop", "-t", "1", n)
		if in := d.Inspect(t, n); in.State != "exited" {
			t.Errorf("%s after stop: %s", n, in.State)
		}
	}
	removeAll(t, d)
	assertClean(t, d, before, nil)
}

// TestCrashDamagedDatabases cuts metadata.db and containers.db to half,
// empties them and fills them with garbage. Before, a metadata.db cut to
// half killed the daemon with SIGBUS inside bbolt without naming the
// file, and an empty one of either started an empty daemon that then
// deleted every layer or container as a leftover. Now the daemon refuses
// to start with an exit code (not a signal) and a message naming the file
// and what to do, leaves the data alone, and with the file restored
// starts with every image and the running container.
func TestCrashDamagedDatabases(t *testing.T) {
	damages := boltfile.Damages()
	for _, db := range []string{"metadata.db", "containers.db"} {
		for name, damage := range damages {
			t.Run(db+"/"+name, func(t *testing.T) {
				d := daemon.New(t)
				img := d.Busybox(t)
				// Enough records that half the file is still whole pages.
				for i := range 30 {
					d.OK(t, "create", "--name", fmt.Sprintf("pad%d", i), "--label", "pad="+strings.Repeat("x", 1500), img, "true")
				}
				d.OK(t, "run", "-d", "--name", "survivor", img, "sleep", "1000")
				pid := d.Inspect(t, "survivor").Pid
				d.Shutdown(t)
				path := filepath.Join(d.Root, db)
				good, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := damage(path); err != nil {
					t.Fatal(err)
				}

				res, stderr := runDaemonOnce(t, d)
				if res.Success() {
					t.Fatalf("the daemon started on a damaged %s:\n%s", db, stderr)
				}
				if ws, ok := res.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					t.Fatalf("the daemon died of %v on a damaged %s:\n%s", ws.Signal(), db, stderr)
				}
				for _, want := range []string{path, "damaged", "mv " + path} {
					if !strings.Contains(stderr, want) {
						t.Errorf("the daemon's message does not say %q:\n%s", want, stderr)
					}
				}
				if err := syscall.Kill(pid, 0); err != nil {
					t.Errorf("the running container died with the refused start: %v", err)
				}

				if err := os.WriteFile(path, good, 0o600); err != nil {
					t.Fatal(err)
				}
				d.Start(t)
				if in := d.Inspect(t, "survivor"); in.State != "running" || in.Pid != pid {
					t.Errorf("after restoring %s: survivor %s pid %d, want running pid %d", db, in.State, in.Pid, pid)
				}
				if r := d.Run(t, "image", "inspect", img); r.Code != 0 {
					t.Errorf("after restoring %s: %v", db, r)
				}
				removeAll(t, d)
			})
		}
	}
}

// runDaemonOnce runs the daemon on d's directories in the foreground
// until it exits (it is expected to refuse to start), and returns how it
// ended and what it wrote.
func runDaemonOnce(t *testing.T, d *daemon.Daemon) (*os.ProcessState, string) {
	t.Helper()
	_, bin, _ := daemon.Bins()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--root", d.Root, "--exec-root", d.ExecRoot,
		"--socket", d.Socket, "--pidfile", d.Pidfile, "--log-level", "debug")
	cmd.Args = append(cmd.Args, d.Net.Flags()...)
	cmd.Dir = d.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the daemon on a damaged database neither started nor exited within a minute:\n%s", out.String())
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("running the daemon: %v", err)
	}
	return cmd.ProcessState, out.String()
}
