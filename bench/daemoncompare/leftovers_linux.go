package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
	"github.com/container-runtime/container-runtime/network"
)

// workPattern names the work directories in os.TempDir().
const workPattern = "daemoncompare-*"

// recordName is the run record's file in the work directory.
const recordName = "run.json"

// cgroupName is the cgroup tree of the run with process id pid.
func cgroupName(pid int) string { return "daemoncompare-" + strconv.Itoa(pid) }

// runRecord is what a run writes to run.json in its work directory, so
// that a later run can clean up after it when it was killed before it
// could (SIGKILL): our daemon, its monitors and network, a private
// dockerd, podman's containers, mounts, cgroups, host paths the peers
// made.
type runRecord struct {
	PID int `json:"pid"`
	// Cgroup is the cgroup tree's name (it may never have been made).
	Cgroup string `json:"cgroup"`
	// NewPaths are the peers' host paths that did not exist when the run
	// started.
	NewPaths []string `json:"newPaths"`
	// Net is our daemon's network configuration, when it had its own.
	Net *recordedNet `json:"net,omitempty"`
}

// recordedNet is network.Config as recorded.
type recordedNet struct {
	StateDir, BridgeName, Subnet, NFTable, Pool, BridgePrefix string
}

func recordNet(c network.Config) *recordedNet {
	return &recordedNet{StateDir: c.StateDir, BridgeName: c.BridgeName, Subnet: c.Subnet.String(),
		NFTable: c.NFTable, Pool: c.AddressPools[0].String(), BridgePrefix: c.BridgePrefix}
}

func (r *recordedNet) config() (network.Config, error) {
	subnet, err := netip.ParsePrefix(r.Subnet)
	if err != nil {
		return network.Config{}, err
	}
	pool, err := netip.ParsePrefix(r.Pool)
	if err != nil {
		return network.Config{}, err
	}
	return network.Config{StateDir: r.StateDir, BridgeName: r.BridgeName, Subnet: subnet, NFTable: r.NFTable,
		AddressPools: []netip.Prefix{pool}, BridgePrefix: r.BridgePrefix}, nil
}

// writeRunRecord writes this run's record into work: whether our daemon
// takes its own network settings (netFlags) is known before it starts.
func writeRunRecord(work string, netFlags bool, ourRoot string) error {
	rec := runRecord{PID: os.Getpid(), Cgroup: cgroupName(os.Getpid())}
	rec.NewPaths = newPaths(existed(append(dockerd.HostPaths(), podmanHostPaths()...)...))
	if netFlags {
		rec.Net = recordNet(benchNet(ourRoot, os.Getpid()))
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, recordName), b, 0o600)
}

// cleanEarlierRuns cleans up after earlier runs that were killed: work
// directories whose run.json names a process that no longer runs
// daemoncompare. Directories of a run still going are left alone.
func cleanEarlierRuns() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), workPattern))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, recordName))
		if err != nil {
			continue
		}
		var rec runRecord
		if json.Unmarshal(b, &rec) != nil || rec.PID <= 0 || rec.PID == os.Getpid() {
			continue
		}
		if strings.Contains(cmdline(rec.PID), "daemoncompare") {
			continue
		}
		fmt.Fprintf(os.Stderr, "daemoncompare: cleaning up after an earlier run that was killed (%s)\n", dir)
		cleanRun(dir, rec)
	}
}

// cleanRun undoes what the run recorded in rec left in dir and on the host.
func cleanRun(dir string, rec runRecord) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if pid := host.PidRunningWith(daemonPidfile(dir), ourMark(dir)); pid > 0 {
		fmt.Fprintf(os.Stderr, "daemoncompare: stopping its container-runtimed (pid %d)\n", pid)
		stopPid(pid, 60*time.Second)
	}
	if pids := dockerd.StopLeftover(filepath.Join(dir, "docker")); len(pids) > 0 {
		fmt.Fprintf(os.Stderr, "daemoncompare: stopped its dockerd and containerd (pids %v)\n", pids)
	}
	// What the run had going (monitors, conmons, shims, a CLI) would go
	// on using the directory.
	killProcessesUsing(dir)
	if path, err := exec.LookPath("podman"); err == nil {
		pdir := filepath.Join(dir, "podman")
		if _, err := os.Stat(filepath.Join(pdir, "root")); err == nil {
			p := &peerPodman{path: path, dir: pdir, global: podmanGlobal(pdir)}
			p.podman(ctx, "rm", "--all", "--force", "--time", "0")
			p.podman(ctx, "rmi", "--all", "--force")
		}
	}
	removeOurContainerCgroups(dir)
	if rec.Net != nil {
		if cfg, err := rec.Net.config(); err == nil {
			destroyNetwork(ctx, cfg, true)
		}
	}
	if t, err := findCgroupTree(rec.Cgroup); err == nil && rec.Cgroup != "" {
		if err := t.remove(); err != nil {
			fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
		}
	}
	removeNew(rec.NewPaths)
	if err := host.RemoveDir(dir, recordName); err != nil {
		fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
	}
}

// removeOurContainerCgroups removes the (empty) cgroups our runtime made
// for the containers of a killed run's daemon: /container-runtime/<id> in
// every hierarchy, for the ids in its containers directory.
func removeOurContainerCgroups(dir string) {
	entries, _ := os.ReadDir(filepath.Join(dir, "ours", "root", "containers"))
	hier, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, e := range entries {
		for _, h := range append(hier, "/sys/fs/cgroup") {
			_ = unix.Rmdir(filepath.Join(h, "container-runtime", e.Name()))
		}
	}
}

// killProcessesUsing kills, by PID, the processes whose command line
// names dir: the leftovers of the killed run that owned dir (a unique
// temporary directory).
func killProcessesUsing(dir string) {
	for _, pid := range findProcs(func(p procInfo) bool { return p.pid != os.Getpid() && p.argvContains(dir+"/") }) {
		fmt.Fprintf(os.Stderr, "daemoncompare: killing pid %d: %s\n", pid, cmdline(pid))
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid, 5*time.Second)
	}
}
