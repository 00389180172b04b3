package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// maxExecCache bounds how many containers' records execCache keeps.
const maxExecCache = 256

// execCache keeps, per container, the decoded state record and compiled
// seccomp program Exec needs, for as long as state.json is the same file
// (inode, size, modification time). A container's record is only written
// at create and start: repeated execs (health checks every few seconds)
// then skip decoding the whole spec and encoding its seccomp section
// again, which was most of an exec's cost in the caller.
type execCache struct {
	mu   sync.Mutex
	byID map[string]execCached
}

type execCached struct {
	key  execCacheKey
	rec  *record
	prog []byte
}

type execCacheKey struct {
	ino, size uint64
	mtimeSec  int64
	mtimeNsec int64
	ctimeNsec int64
	ctimeSec  int64
}

// execState returns the record of container id and its seccomp program,
// from the cache when state.json did not change. The record is shared:
// callers must not change it.
func (r *Runtime) execState(id string) (*record, []byte, error) {
	if err := ValidateID(id); err != nil {
		return nil, nil, err
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(r.dir(id), stateFile), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("container %q: %w", id, errdefs.ErrNotFound)
		}
		return nil, nil, fmt.Errorf("reading state of %q: %w", id, err)
	}
	key := execCacheKey{ino: st.Ino, size: uint64(st.Size), mtimeSec: st.Mtim.Sec, mtimeNsec: st.Mtim.Nsec,
		ctimeSec: st.Ctim.Sec, ctimeNsec: st.Ctim.Nsec}
	c := &r.execs
	c.mu.Lock()
	got, ok := c.byID[id]
	c.mu.Unlock()
	if ok && got.key == key {
		return got.rec, got.prog, nil
	}
	rec, err := r.load(id)
	if err != nil {
		return nil, nil, err
	}
	prog, err := r.seccompProgram(rec.Config.Linux.Seccomp)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	if c.byID == nil || len(c.byID) >= maxExecCache {
		c.byID = map[string]execCached{}
	}
	c.byID[id] = execCached{key: key, rec: rec, prog: prog}
	c.mu.Unlock()
	return rec, prog, nil
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
			for _, f := range files {
				f.Close()
			}
			return nil, fmt.Errorf("opening the container's cgroup %s: %w", p, err)
		}
		files = append(files, f)
	}
	return files, nil
}
