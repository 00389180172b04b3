package cgroup

import (
	"bufio"
	"bytes"
	"io"
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
// microseconds a move to the same cgroup takes. Callers share one
// goroutine: a start calls this from the container service and again from
// the runtime, and concurrent starts overlap; each call is a lease that
// keeps it writing until its done, or primeFor.
//
// The cgroup is read from /proc/self/cgroup before every write, not once:
// "0" moves the writer into the file's cgroup, so a daemon that someone
// moved elsewhere meanwhile must not be moved back.
func PrimeMigration() (done func()) {
	primer.mu.Lock()
	primer.next++
	id := primer.next
	primer.leases[id] = time.Now().Add(primeFor)
	if !primer.running {
		primer.running = true
		go primeLoop()
	}
	primer.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			primer.mu.Lock()
			delete(primer.leases, id)
			primer.mu.Unlock()
		})
	}
}

// primer holds the leases of the callers of PrimeMigration; the one
// goroutine of primeLoop runs while any is live.
var primer = struct {
	mu      sync.Mutex
	leases  map[uint64]time.Time // id -> expiry
	next    uint64
	running bool
}{leases: map[uint64]time.Time{}}

// primeLoop writes every primeEvery until no lease is live, or at once
// when there is nothing to write to.
func primeLoop() {
	var st primeState
	defer st.close()
	for {
		ok := st.write()
		if ok {
			time.Sleep(primeEvery)
		}
		primer.mu.Lock()
		now := time.Now()
		for id, until := range primer.leases {
			if !ok || now.After(until) {
				delete(primer.leases, id)
			}
		}
		if len(primer.leases) == 0 {
			primer.running = false
			primer.mu.Unlock()
			return
		}
		primer.mu.Unlock()
	}
}

// primeState is what primeLoop keeps open between its writes: the loop
// runs for as long as starts keep coming (a lease lasts up to primeFor),
// and opening, reading and checking the files again for every write cost
// twice the write itself (45 µs instead of 20, BenchmarkPrimeOnce).
type primeState struct {
	// self is /proc/self/cgroup, read again (pread) before every write.
	self *os.File
	// seen is what self said when procs was opened.
	seen []byte
	buf  []byte
	// procs is the cgroup.procs file of the cgroup self names.
	procs *os.File
}

// write writes "0" to the cgroup.procs file of this process's cgroup in
// one hierarchy; false if there is none to write to.
func (st *primeState) write() bool {
	if st.self == nil {
		f, err := os.Open("/proc/self/cgroup")
		if err != nil {
			return false
		}
		st.self, st.buf = f, make([]byte, 16<<10)
	}
	n, err := st.self.ReadAt(st.buf, 0)
	if n == 0 || (err != nil && err != io.EOF) || n == len(st.buf) {
		return false
	}
	if st.procs == nil || !bytes.Equal(st.buf[:n], st.seen) {
		// First write, or someone moved us: the file of where we are now.
		if st.procs != nil {
			st.procs.Close()
			st.procs = nil
		}
		p := procsFileIn(st.buf[:n])
		if p == "" {
			return false
		}
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return false
		}
		st.procs, st.seen = f, bytes.Clone(st.buf[:n])
	}
	_, err = st.procs.WriteString("0")
	return err == nil
}

func (st *primeState) close() {
	for _, f := range []*os.File{st.self, st.procs} {
		if f != nil {
			f.Close()
		}
	}
}

// primeOnce is one write of the loop, its files opened and closed.
func primeOnce() bool {
	var st primeState
	defer st.close()
	return st.write()
}

// primeEvery is well below a grace period (a few milliseconds at the
// least), so the semaphore never leaves its writer mode between two
// writes; primeFor bounds a lease whose done is never called (a create
// that no start follows).
const (
	primeEvery = 3 * time.Millisecond
	primeFor   = 200 * time.Millisecond
)

// ownProcsFile is the cgroup.procs file of this process's own cgroup in
// one hierarchy (pids if it is a v1 controller here, else the first v1
// hierarchy, else cgroup2), or "" if none is found.
func ownProcsFile() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	return procsFileIn(b)
}

// procsFileIn is ownProcsFile for self, the content of /proc/self/cgroup.
func procsFileIn(self []byte) string {
	var first, v2 string
	sc := bufio.NewScanner(bytes.NewReader(self))
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
