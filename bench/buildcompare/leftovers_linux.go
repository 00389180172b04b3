package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// workPattern names the work directories in os.TempDir().
const workPattern = "buildcompare-*"

// cgroupName is the accounting cgroup of the run with process id pid.
func cgroupName(pid int) string { return "buildcompare-" + strconv.Itoa(pid) }

// runRecord is what a run writes to run.json in its work directory, so
// that a later run can clean up after it when it was killed before it
// could (SIGKILL): a private dockerd left running, mounts, cgroups, host
// paths the peers made.
type runRecord struct {
	PID int `json:"pid"`
	// Cgroup is the accounting cgroup's name (it may never have been
	// made).
	Cgroup string `json:"cgroup"`
	// NewPaths are the peers' host paths that did not exist when the run
	// started.
	NewPaths []string `json:"newPaths"`
}

// writeRunRecord writes this run's record into work.
func writeRunRecord(work string) error {
	rec := runRecord{PID: os.Getpid(), Cgroup: cgroupName(os.Getpid())}
	for p, was := range host.Existed(append(dockerd.HostPaths(), buildahHostPaths()...)...) {
		if !was {
			rec.NewPaths = append(rec.NewPaths, p)
		}
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, "run.json"), b, 0o600)
}

// cleanEarlierRuns cleans up after earlier runs that were killed: work
// directories whose run.json names a process that no longer runs
// buildcompare. Directories of a run still going are left alone.
func cleanEarlierRuns() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), workPattern))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "run.json"))
		if err != nil {
			continue
		}
		var rec runRecord
		if json.Unmarshal(b, &rec) != nil || rec.PID <= 0 || rec.PID == os.Getpid() {
			continue
		}
		if cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(rec.PID) + "/cmdline"); err == nil &&
			strings.Contains(string(cmdline), "buildcompare") {
			continue
		}
		fmt.Fprintf(os.Stderr, "buildcompare: cleaning up after an earlier run that was killed (%s)\n", dir)
		cleanRun(dir, rec)
	}
}

// cleanRun undoes what the run recorded in rec left in dir and on the host.
func cleanRun(dir string, rec runRecord) {
	if pids := dockerd.StopLeftover(filepath.Join(dir, "docker")); len(pids) > 0 {
		fmt.Fprintf(os.Stderr, "buildcompare: stopped its dockerd and containerd (pids %v)\n", pids)
	}
	// What the run had going when it was killed (a buildah bud, a docker
	// client, a shim) would go on mounting in the directory.
	killProcessesUsing(dir)
	if path, err := exec.LookPath("buildah"); err == nil {
		root := filepath.Join(dir, "buildah")
		if _, err := os.Stat(filepath.Join(root, "root")); err == nil {
			b := &buildah{path: path, global: buildahGlobal(root)}
			b.run(context.Background(), "rm", "--all")
			b.run(context.Background(), "rmi", "--all", "--force")
		}
	}
	if g, err := findCPUGroup(rec.Cgroup); err == nil && rec.Cgroup != "" {
		if err := g.remove(); err != nil {
			fmt.Fprintf(os.Stderr, "buildcompare: %v\n", err)
		}
	}
	paths := slices.Clone(rec.NewPaths)
	slices.SortFunc(paths, func(a, b string) int { return len(b) - len(a) })
	for _, p := range paths {
		_ = os.Remove(p)
	}
	if err := host.RemoveDir(dir, "run.json"); err != nil {
		fmt.Fprintf(os.Stderr, "buildcompare: %v\n", err)
	}
}

// killProcessesUsing kills, by PID, the processes whose command line
// names dir: the leftovers of the killed run that owned dir (a unique
// temporary directory).
func killProcessesUsing(dir string) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), dir+"/") {
			continue
		}
		fmt.Fprintf(os.Stderr, "buildcompare: killing pid %d: %s\n", pid, strings.ReplaceAll(string(cmdline), "\x00", " "))
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid, 5*time.Second)
	}
}

// waitGone waits until pid no longer exists, at most timeout, and reports
// whether it is gone.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}
