package runtime

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
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
	// procs are the run's cgroup.procs files, open while the entry is
	// cached; each exec gets duplicates (see execState), so an entry
	// replaced during an exec cannot close what that exec passes on.
	procs []*os.File
	// configHead and configTail are the encoded config message of an
	// exec (see configMessage), around the process.
	configHead, configTail []byte
	// started is set once the exec fifo was seen gone: Start removed it
	// and nothing makes it again for this state.json.
	started atomic.Bool
}

// execState returns what an exec into container id needs, from the cache
// when state.json did not change, and duplicates of its cgroup.procs
// files, which the caller closes.
func (r *Runtime) execState(id string) (*execPrep, []*os.File, error) {
	if err := ValidateID(id); err != nil {
		return nil, nil, err
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(r.dir(id), stateFile), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			r.execs.forget(id)
			return nil, nil, fmt.Errorf("container %q: %w", id, errdefs.ErrNotFound)
		}
		return nil, nil, fmt.Errorf("reading state of %q: %w", id, err)
	}
	key := execCacheKey{ino: st.Ino, size: uint64(st.Size), mtimeSec: st.Mtim.Sec, mtimeNsec: st.Mtim.Nsec,
		ctimeSec: st.Ctim.Sec, ctimeNsec: st.Ctim.Nsec}
	c := &r.execs
	c.mu.Lock()
	if got, ok := c.byID[id]; ok && got.key == key {
		procs, err := dupFiles(got.prep.procs)
		c.mu.Unlock()
		return got.prep, procs, err
	}
	c.mu.Unlock()
	prep, err := r.prepareExec(id)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil || len(c.byID) >= maxExecCache {
		for _, e := range c.byID {
			closeFiles(e.prep.procs)
		}
		c.byID = map[string]*execCached{}
	}
	if old, ok := c.byID[id]; ok {
		closeFiles(old.prep.procs)
	}
	c.byID[id] = &execCached{key: key, prep: prep}
	procs, err := dupFiles(prep.procs)
	return prep, procs, err
}

// forget drops the entry of container id (deleted) and closes its files.
func (c *execCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[id]; ok {
		closeFiles(e.prep.procs)
		delete(c.byID, id)
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
	procs, err := cgroupProcsFiles(rec.CgroupPaths)
	if err != nil {
		return nil, err
	}
	head, tail, err := configMessage(rec, prog)
	if err != nil {
		closeFiles(procs)
		return nil, err
	}
	return &execPrep{rec: rec, joins: execJoins(rec.Pid, rec.Config), procs: procs, configHead: head, configTail: tail}, nil
}

// configMessage encodes the "config" message of an exec into rec's
// container (sync.go) but for its process, which goes between head and
// tail: the same bytes json.Encoder writes for
//
//	syncMsg{Type: msgConfig, Config: &initConfig{ID: ..., Spec: rec.Config,
//		Exec: true, Process: p, Seccomp: prog, InitPid: rec.Pid}}
//
// The spec is most of it; encoding it once per run instead of once per
// exec is the point.
func configMessage(rec *record, prog []byte) (head, tail []byte, err error) {
	str := func(s string) []byte {
		b, _ := json.Marshal(s) // a string always encodes
		return b
	}
	spec, err := json.Marshal(rec.Config)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the spec of %q: %w", rec.ID, err)
	}
	head = append(head, `{"type":"`+msgConfig+`","config":{"id":`...)
	head = append(head, str(rec.ID)...)
	head = append(append(head, `,"bundle":`...), str(rec.Bundle)...)
	head = append(append(head, `,"rootfs":`...), str(rec.Rootfs)...)
	head = append(append(head, `,"spec":`...), spec...)
	head = append(head, `,"exec":true,"process":`...)
	if len(prog) > 0 {
		tail = append(tail, `,"seccomp":"`...)
		tail = base64.StdEncoding.AppendEncode(tail, prog)
		tail = append(tail, '"')
	}
	if rec.Pid != 0 {
		tail = append(tail, `,"initPid":`+strconv.Itoa(rec.Pid)...)
	}
	tail = append(tail, "}}\n"...)
	return head, tail, nil
}

// config is the encoded config message of an exec of p.
func (p *execPrep) config(proc *specs.Process) ([]byte, error) {
	b, err := json.Marshal(proc)
	if err != nil {
		return nil, fmt.Errorf("encoding the process: %w", err)
	}
	msg := make([]byte, 0, len(p.configHead)+len(b)+len(p.configTail))
	return append(append(append(msg, p.configHead...), b...), p.configTail...), nil
}

// cgroupProcsFiles opens the cgroup.procs file of each of the container's
// cgroup directories (paths checked by cgroup.Load), for the exec stage to
// write itself into.
func cgroupProcsFiles(paths map[string]string) ([]*os.File, error) {
	var files []*os.File
	seen := map[string]bool{}
	for _, p := range paths {
		if p == "" || seen[p] {
			continue // not mounted; or mounted with another controller
		}
		seen[p] = true
		f, err := os.OpenFile(filepath.Join(p, "cgroup.procs"), os.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			closeFiles(files)
			return nil, fmt.Errorf("opening the container's cgroup %s: %w", p, err)
		}
		files = append(files, f)
	}
	return files, nil
}

// dupFiles duplicates files (close-on-exec); on failure none is left open.
func dupFiles(files []*os.File) ([]*os.File, error) {
	dups := make([]*os.File, 0, len(files))
	for _, f := range files {
		fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			closeFiles(dups)
			return nil, fmt.Errorf("duplicating %s: %w", f.Name(), err)
		}
		dups = append(dups, os.NewFile(uintptr(fd), f.Name()))
	}
	return dups, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
