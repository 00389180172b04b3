package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
)

// leakBaseline is what the host looked like before a container was made:
// after the container is gone, nothing of it may remain — no state
// directory, no cgroup in any hierarchy, no mount, no process.
type leakBaseline struct {
	rt *Runtime
	id string
	// watch are host directories under which no new mount may appear.
	watch    []string
	mounts   map[int]bool
	children map[int]bool
}

// watchLeaks records the baseline for container id of b and checks it
// when the test ends (after the container's own cleanup, which t.Cleanup
// runs first since it is registered later). Directories in watch (and
// b.dir, which holds the rootfs and the runtime's state) must not gain a
// mount.
func watchLeaks(t testing.TB, b *testBundle, id string, watch ...string) *leakBaseline {
	t.Helper()
	l := &leakBaseline{
		rt:       b.rt,
		id:       id,
		watch:    append([]string{b.dir}, watch...),
		mounts:   map[int]bool{},
		children: map[int]bool{},
	}
	for _, m := range hostMounts(t) {
		l.mounts[m.ID] = true
	}
	for _, pid := range childPids(t) {
		l.children[pid] = true
	}
	t.Cleanup(func() { l.check(t) })
	return l
}

// check fails t for everything the container left behind.
//
// The mount check compares the host's mount table with the baseline but
// only counts mounts that can be the container's: under a watched
// directory, or of a file system type only containers mount here. Other
// packages' tests run beside ours (go test runs packages in parallel) and
// add their own mounts, so a plain line count would fail for them.
func (l *leakBaseline) check(t testing.TB) {
	t.Helper()
	if _, err := os.Lstat(l.rt.dir(l.id)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leak: state directory %s still exists (%v)", l.rt.dir(l.id), err)
	}
	cgs, err := filepath.Glob(filepath.Join("/sys/fs/cgroup/*/container-runtime", l.id))
	if err != nil {
		t.Fatal(err)
	}
	if len(cgs) > 0 {
		t.Errorf("leak: cgroup directories remain: %v", cgs)
	}
	for _, m := range hostMounts(t) {
		if l.mounts[m.ID] {
			continue
		}
		// A new mount of a file system only containers mount, anywhere on
		// the host, is a mount that escaped.
		// Other test packages' temporary directories are left out: there
		// debootstrap mounts proc and sysfs in the chroot it builds.
		containerFS := slices.Contains([]string{"proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2"}, m.FSType) &&
			!strings.HasPrefix(m.Mountpoint, os.TempDir()+"/")
		if containerFS || l.watched(m.Mountpoint) {
			t.Errorf("leak: new host mount %s on %s (type %s, root %s)", m.Source, m.Mountpoint, m.FSType, m.Root)
		}
	}
	for _, pid := range childPids(t) {
		if !l.children[pid] {
			t.Errorf("leak: process %d (%s) is still our child", pid, procSummary(pid))
		}
	}
}

func (l *leakBaseline) watched(path string) bool {
	for _, w := range l.watch {
		if path == w || strings.HasPrefix(path, w+"/") {
			return true
		}
	}
	return false
}

// hostMounts reads our own mount table, which is the host's.
func hostMounts(t testing.TB) []*mountinfo.Info {
	t.Helper()
	ms, err := mountinfo.GetMounts(nil)
	if err != nil {
		t.Fatalf("reading the mount table: %v", err)
	}
	return ms
}

// childPids lists the children of every thread of the test process:
// container processes are our children (CLONE_PARENT), zombies included.
func childPids(t testing.TB) []int {
	t.Helper()
	files, err := filepath.Glob("/proc/self/task/*/children")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread exited
		}
		for _, s := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(s); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// procSummary is "comm state" of pid, for messages.
func procSummary(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return err.Error()
	}
	s := string(b)
	if i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')'); i >= 0 && j > i && j+3 <= len(s) {
		return s[i+1:j] + " " + s[j+2:j+3]
	}
	return s
}
