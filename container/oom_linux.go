package container

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"

	"github.com/container-runtime/container-runtime/errdefs"
)

// cgroupRoot is where the cgroup hierarchies are mounted.
const cgroupRoot = "/sys/fs/cgroup"

// oomKilled tells whether the kernel's OOM killer killed a process of the
// container during its run. It must be asked before the runtime deletes
// the cgroup. The container's init is the monitor's child, not ours, so
// the runtime's Process.Wait cannot answer; the cgroup's counters are
// read here, at the runtime's default cgroup path (/container-runtime/<id>
// in every hierarchy): the memory controller's memory.oom_control (v1) or
// memory.events (v2).
func (s *Service) oomKilled(id string) bool {
	rel := filepath.Join("container-runtime", id)
	for _, f := range []string{
		filepath.Join(cgroupRoot, "memory", rel, "memory.oom_control"),
		filepath.Join(cgroupRoot, rel, "memory.events"),
	} {
		if n, ok := readCounter(f, "oom_kill"); ok {
			return n > 0
		}
	}
	return false
}

// readCounter reads "key N" from a flat-keyed cgroup file.
func readCounter(path, key string) (uint64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := bytes.Cut(sc.Bytes(), []byte(" "))
		if ok && string(k) == key {
			n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func isNotFound(err error) bool { return errors.Is(err, errdefs.ErrNotFound) }
