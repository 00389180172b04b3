package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/nsenter"
)

// maxExecCache bounds how many containers' records execCache keeps.
const maxExecCache = 256

// execCache keeps, per container, what every exec into its current run
// needs (execPrep), for as long as state.json is the same file (inode,
// size, modification and change times). A container's record is only
// written at create and start, so a new run, or a new container under the
// same id, gets a new entry. Repeated execs (health checks every few
// seconds) then skip decoding the spec, compiling and encoding its seccomp
// program, looking up namespaces and opening cgroup files, which was most
// of an exec's cost in the caller.
type execCache struct {
	mu   sync.Mutex
	byID map[string]*execCached
}

type execCached struct {
	key  execCacheKey
	prep *execPrep
}

type execCacheKey struct {
	ino, size uint64
	mtimeSec  int64
	mtimeNsec int64
	ctimeNsec int64
	ctimeSec  int64
}

// execPrep is what an exec into one run of a container needs. It is
// shared between execs and never changed once made but for started.
type execPrep struct {
	// rec is the container's record: callers must not change it.
	rec *record
	// joins is the namespace plan (execJoins): the paths name the run's
	// init, which the key's state.json belongs to.
	joins []string
	// cgroups are the run's cgroups, open while the entry is cached
	// (cgroupJoin).
	cgroups cgroupJoin
	// seccomp is the run's compiled filter (nil: none), shared with the
	// runtime's cache, which owns its file.
	seccomp *filterProgram
	// init is a pidfd of the run's init, opened once its start time was
	// checked (nil: it was gone already). It is readable once the init
	// has exited, a zombie included, which is what alive tells.
	init *os.File
	// freezer is the run's freezer.state, read again at offset 0 for
	// each exec (nil: no freezer cgroup, or it could not be opened and
	// paused reads it by name).
	freezer *os.File
	// use is held for reading by every exec that uses the files above,
	// and for writing by close: an entry replaced during an exec closes
	// them only once that exec has passed them on, so that it cannot
	// pass on another file that got one of their numbers.
	use sync.RWMutex
	// started is set once the exec fifo was seen gone: Start removed it
	// and nothing makes it again for this state.json.
	started atomic.Bool
}

// close closes the files the entry keeps open, once no exec uses them.
// Preconditions: the entry is no longer in the cache.
func (p *execPrep) close() {
	p.use.Lock()
	p.cgroups.close()
	if p.init != nil {
		p.init.Close()
	}
	if p.freezer != nil {
		p.freezer.Close()
	}
}

// done ends an exec's use of p (see execState).
func (p *execPrep) done() { p.use.RUnlock() }

// execState returns what an exec into container id needs, from the cache
// when state.json did not change, and the container's status. On success
// the caller uses the entry's files until it calls done.
func (r *Runtime) execState(id string) (*execPrep, Status, error) {
	if err := ValidateID(id); err != nil {
		return nil, "", err
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(r.dir(id), stateFile), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			r.execs.forget(id)
			return nil, "", fmt.Errorf("container %q: %w", id, errdefs.ErrNotFound)
		}
		return nil, "", fmt.Errorf("reading state of %q: %w", id, err)
	}
	key := execCacheKey{ino: st.Ino, size: uint64(st.Size), mtimeSec: st.Mtim.Sec, mtimeNsec: st.Mtim.Nsec,
		ctimeSec: st.Ctim.Sec, ctimeNsec: st.Ctim.Nsec}
	c := &r.execs
	c.mu.Lock()
	if got, ok := c.byID[id]; ok && got.key == key {
		// Taken while the entry is in the cache: close waits for it.
		got.prep.use.RLock()
		c.mu.Unlock()
		return got.prep, r.execStatus(got.prep), nil
	}
	c.mu.Unlock()
	prep, err := r.prepareExec(id)
	if err != nil {
		return nil, "", err
	}
	var stale []*execPrep
	c.mu.Lock()
	if c.byID == nil || len(c.byID) >= maxExecCache {
		for _, e := range c.byID {
			stale = append(stale, e.prep)
		}
		c.byID = map[string]*execCached{}
	}
	if old, ok := c.byID[id]; ok {
		stale = append(stale, old.prep)
	}
	c.byID[id] = &execCached{key: key, prep: prep}
	prep.use.RLock()
	c.mu.Unlock()
	for _, p := range stale {
		p.close()
	}
	return prep, r.execStatus(prep), nil
}

// execStatus is status(prep.rec) from the entry's open files.
// Preconditions: the caller uses the entry (execState).
func (r *Runtime) execStatus(prep *execPrep) Status {
	rec := prep.rec
	switch {
	case rec.Pid == 0:
		return StatusCreating
	case prep.init == nil || exited(prep.init):
		return StatusStopped
	case !prep.started.Load() && fileExists(filepath.Join(r.dir(rec.ID), fifoFile)):
		return StatusCreated
	case prep.freezer != nil && frozen(prep.freezer) || prep.freezer == nil && paused(rec):
		return StatusPaused
	}
	prep.started.Store(true)
	return StatusRunning
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// exited tells whether the process of pidfd has exited (or is a zombie).
func exited(pidfd *os.File) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd.Fd()), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 0)
		if err == unix.EINTR {
			continue
		}
		return err != nil || n > 0
	}
}

// frozen reads freezer.state from its start, as paused does by name.
func frozen(f *os.File) bool {
	var b [16]byte
	n, err := f.ReadAt(b[:], 0)
	if n == 0 && err != nil {
		return false // as paused does when it cannot read the file
	}
	return bytes.HasPrefix(b[:n], []byte("FROZEN"))
}

// forget drops the entry of container id (deleted) and closes its files.
func (c *execCache) forget(id string) {
	c.mu.Lock()
	e, ok := c.byID[id]
	delete(c.byID, id)
	c.mu.Unlock()
	if ok {
		e.prep.close()
	}
}

// prepareExec computes the execPrep of container id's current run.
func (r *Runtime) prepareExec(id string) (*execPrep, error) {
	rec, err := r.load(id)
	if err != nil {
		return nil, err
	}
	prog, err := r.seccompProgram(rec.Config.Linux.Seccomp)
	if err != nil {
		return nil, err
	}
	// Load checks the saved paths; a record without them has no cgroup.
	if _, err := rec.cgroupOf(); err != nil {
		return nil, err
	}
	cgroups, err := openCgroupJoin(rec.CgroupPaths)
	if err != nil {
		return nil, err
	}
	prep := &execPrep{rec: rec, joins: execJoins(rec.Pid, rec.Config), cgroups: cgroups, seccomp: prog}
	prep.init = openInit(rec)
	if p, ok := rec.CgroupPaths["freezer"]; ok {
		if f, err := os.Open(filepath.Join(p, "freezer.state")); err == nil {
			prep.freezer = f
		}
	}
	return prep, nil
}

// openInit returns a pidfd of rec's init, or nil if it is gone. The pidfd
// is opened first and the start time checked after: a PID reused in
// between shows another start time.
func openInit(rec *record) *os.File {
	if rec.Pid <= 0 {
		return nil
	}
	fd, err := unix.PidfdOpen(rec.Pid, 0)
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	if !rec.alive() {
		f.Close()
		return nil
	}
	return f
}

// config is what follows "go" for an exec of proc (sync.go): the length
// of its process plan and the plan. The plan is small (no spec, no
// seccomp profile): encoding it per exec costs microseconds. In a
// container without a mount namespace of its own the exec enters its
// init's root first (process.h).
func (p *execPrep) config(proc *specs.Process) ([]byte, error) {
	var o nsenter.PlanOptions
	if !hasNamespace(p.rec.Config, specs.MountNamespace) {
		o.InitPid = p.rec.Pid
	}
	msg, err := nsenter.AppendPlan(make([]byte, 4, 512), proc, o)
	if err != nil {
		return nil, err
	}
	binary.NativeEndian.PutUint32(msg, uint32(len(msg)-4))
	return msg, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
