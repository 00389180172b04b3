package daemon

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// cgroupRoot is where the cgroup hierarchies are mounted; the runtime
// puts a container without a cgroupsPath in <hierarchy>/container-runtime/<id>.
const cgroupRoot = "/sys/fs/cgroup"

// Leaks returns what is left of d's containers: mounts under d's
// directories, cgroups of the containers it created, their state
// directories, monitor processes serving d's exec root, and veths on its
// bridge. After every container was removed it must be empty.
func (d *Daemon) Leaks() []string {
	var out []string
	for _, m := range MountsUnder(d.Dir) {
		out = append(out, "mount "+m)
	}
	for _, id := range d.KnownIDs() {
		for _, cg := range containerCgroups(id) {
			out = append(out, "cgroup "+cg)
		}
	}
	for _, dir := range []string{
		filepath.Join(d.ExecRoot, "containers"),
		filepath.Join(d.ExecRoot, "runtime"),
		filepath.Join(d.Root, "containers"),
	} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") { // .seccomp: the runtime's profile cache
				out = append(out, "state "+filepath.Join(dir, e.Name()))
			}
		}
	}
	for _, pid := range MonitorsOf(d.ExecRoot) {
		out = append(out, fmt.Sprintf("monitor process %d", pid))
	}
	for _, port := range d.Net.Ports() {
		out = append(out, "interface "+port+" on bridge "+d.Net.Bridge)
	}
	return out
}

// SettledLeaks is Leaks once things settled: some cleanup finishes in the
// background after the request that caused it (the network manager
// deletes a veth's host end asynchronously), so wait up to 10 s for
// leaks to go before reporting them.
func (d *Daemon) SettledLeaks() []string {
	var l []string
	testutil.Eventually(10*time.Second, func() bool {
		l = d.Leaks()
		return len(l) == 0
	})
	return l
}

// forceClean removes what leaked, so that one failing test does not
// disturb the next: processes in the containers' cgroups and d's
// monitors (all started by this test's daemon) are killed, cgroups
// removed, mounts under d.Dir unmounted.
func (d *Daemon) forceClean() {
	ids := d.KnownIDs()
	for _, id := range ids {
		for _, cg := range containerCgroups(id) {
			for _, pid := range cgroupProcs(cg) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	for _, pid := range MonitorsOf(d.ExecRoot) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, id := range ids {
		for range 50 {
			cgs := containerCgroups(id)
			for _, cg := range cgs {
				os.Remove(cg)
			}
			if len(containerCgroups(id)) == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	mounts := MountsUnder(d.Dir)
	slices.Reverse(mounts) // children first
	for _, m := range mounts {
		unix.Unmount(m, unix.MNT_DETACH)
	}
}

// MountsUnder returns the mount points under dir, in mount order.
func MountsUnder(dir string) []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return []string{"reading mountinfo: " + err.Error()}
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		if mp := f[4]; strings.HasPrefix(mp, dir+"/") || mp == dir {
			out = append(out, mp)
		}
	}
	return out
}

// containerCgroups returns the cgroup directories of container id that
// exist, in every hierarchy.
func containerCgroups(id string) []string {
	hierarchies, _ := os.ReadDir(cgroupRoot)
	var out []string
	for _, h := range hierarchies {
		p := filepath.Join(cgroupRoot, h.Name(), "container-runtime", id)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// cgroupProcs returns the pids in a cgroup directory.
func cgroupProcs(dir string) []int {
	b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// MonitorsOf returns the pids of the monitor processes whose state
// directory is under execRoot (their environment names it).
func MonitorsOf(execRoot string) []int {
	procs, _ := os.ReadDir("/proc")
	want := []byte("_CRT_MONITOR_DIR=" + execRoot + "/")
	var pids []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", p.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if bytes.HasPrefix(kv, want) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}
