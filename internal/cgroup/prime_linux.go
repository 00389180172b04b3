package cgroup

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// PrimeMigration starts, in the background, the wait that the kernel makes
// the next move of a process between cgroups pay, so that the move a
// container's start (or exec) makes a few milliseconds later finds it
// over. Call done once that move was made, or will not be; without the
// call it stops after primeFor.
//
// Every write to a cgroup.procs (or tasks) file takes the kernel's
// cgroup_threadgroup_rwsem for writing. That per-CPU semaphore makes its
// first writer after a quiet spell wait for an RCU grace period
// (rcu_sync_enter → synchronize_rcu), which on this kind of machine is
// 8–20 ms of sleep, not CPU; a writer that comes while the semaphore is
// still in its writer mode, which it leaves one grace period after its
// last writer, does not wait. Without CLONE_INTO_CGROUP (cgroup v2 only)
// every runtime pays it once per start and per exec: crun's own 13 ms
// `run` on a v1 host holds 11 ms of it. The wait cannot be avoided, but it
// can be made early: this writes "0" (the writer itself) to the
// cgroup.procs file of a cgroup this process is already in, which moves
// nothing and pays the grace period in a goroutine while the caller goes
// on with what comes before its own move (validation, state, the stage's
// fork); then it writes again every few milliseconds, each time without a
// wait, to keep the writer mode until done (at most primeFor). A move made
// while the first grace period runs waits only for the rest of it.
//
// Failures are ignored: this only saves time. Each write holds the
// semaphore, which blocks fork and exit on the host, for the few
// microseconds a move to the same cgroup takes.
func PrimeMigration() (done func()) {
	p := ownProcsFile()
	if p == "" {
		return func() {}
	}
	stop := make(chan struct{})
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		deadline := time.Now().Add(primeFor)
		tick := time.NewTicker(primeEvery)
		defer tick.Stop()
		for {
			if _, err := f.WriteString("0"); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case now := <-tick.C:
				if now.After(deadline) {
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop) }) }
}

// primeEvery is well below a grace period (a few milliseconds at the
// least), so the semaphore never leaves its writer mode between two
// writes; primeFor bounds how long a caller that never calls done keeps
// it there.
const (
	primeEvery = 3 * time.Millisecond
	primeFor   = 200 * time.Millisecond
)

// ownProcsFile is the cgroup.procs file of this process's own cgroup in
// one hierarchy (pids if it is a v1 controller here, else the first v1
// hierarchy, else cgroup2), or "" if none is found.
func ownProcsFile() string {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	defer f.Close()
	var first, v2 string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") || strings.Contains(parts[2], "..") {
			// A path outside our cgroup namespace's root starts with
			// "/..": not below the mount we would join it to.
			continue
		}
		ctrls, path := parts[1], parts[2]
		switch {
		case ctrls == "":
			v2 = path
		case ctrls == "pids":
			return procsFile(filepath.Join(cgroupRoot, "pids"), path)
		case first == "" && !strings.Contains(ctrls, "name="):
			first = procsFile(filepath.Join(cgroupRoot, ctrls), path)
		}
	}
	if first != "" {
		return first
	}
	if v2 == "" {
		return ""
	}
	if Mode() == Hybrid {
		return procsFile(filepath.Join(cgroupRoot, "unified"), v2)
	}
	return procsFile(cgroupRoot, v2)
}

// procsFile is mount/path/cgroup.procs if it exists.
func procsFile(mount, path string) string {
	p := filepath.Join(mount, filepath.Clean(path), "cgroup.procs")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
