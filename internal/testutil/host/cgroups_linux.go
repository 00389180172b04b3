package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// cgroupBase is where the cgroup hierarchies are mounted.
const cgroupBase = "/sys/fs/cgroup"

// CgroupRoots returns the directories of the host's cgroup hierarchies:
// /sys/fs/cgroup itself on a cgroup v2 host, else each hierarchy mounted
// below it (co-mounted ones once: their symlinks are skipped).
func CgroupRoots() []string {
	if _, err := os.Stat(filepath.Join(cgroupBase, "cgroup.controllers")); err == nil {
		return []string{cgroupBase}
	}
	entries, _ := os.ReadDir(cgroupBase)
	var roots []string
	for _, e := range entries {
		if e.IsDir() {
			roots = append(roots, filepath.Join(cgroupBase, e.Name()))
		}
	}
	return roots
}

// Cgroups returns the directories of cgroup rel (relative to each
// hierarchy's root) that exist.
func Cgroups(rel string) []string {
	var out []string
	for _, root := range CgroupRoots() {
		p := filepath.Join(root, rel)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// CgroupBusy reports whether cgroup rel holds a process in any hierarchy.
func CgroupBusy(rel string) bool {
	for _, root := range CgroupRoots() {
		b, err := os.ReadFile(filepath.Join(root, rel, "cgroup.procs"))
		if err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return true
		}
	}
	return false
}

// RemoveCgroupParent removes cgroup rel, the parent a test gave its
// containers, from every hierarchy. It returns the child cgroups that
// were left in it (removed too when empty of processes): each is a
// container a runtime did not clean up.
func RemoveCgroupParent(rel string) (left []string, err error) {
	var errs []error
	for _, root := range CgroupRoots() {
		p := filepath.Join(root, rel)
		entries, err := os.ReadDir(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				left = append(left, filepath.Join(p, e.Name()))
				_ = unix.Rmdir(filepath.Join(p, e.Name()))
			}
		}
		if err := unix.Rmdir(p); err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("removing cgroup %s: %w", p, err))
		}
	}
	return left, errors.Join(errs...)
}

// CleanupCgroupParent removes cgroup rel from every hierarchy when the
// test ends and fails the test for each child cgroup left in it (a
// container that was not cleaned up). Register it before starting what
// makes cgroups there, so that it runs after that has stopped.
func CleanupCgroupParent(t testing.TB, rel string) {
	t.Cleanup(func() {
		left, err := RemoveCgroupParent(rel)
		if err != nil {
			t.Errorf("%v", err)
		}
		for _, cg := range left {
			t.Errorf("cgroup %s is left behind", cg)
		}
	})
}

// RemoveCgroupTree removes cgroup rel and every cgroup below it in every
// hierarchy, deepest first. It fails for a cgroup that still has
// processes.
func RemoveCgroupTree(rel string) error {
	var errs []error
	for _, root := range CgroupRoots() {
		var dirs []string
		err := filepath.WalkDir(filepath.Join(root, rel), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
		slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
		for _, d := range dirs {
			if err := unix.Rmdir(d); err != nil && !errors.Is(err, unix.ENOENT) {
				errs = append(errs, fmt.Errorf("removing cgroup %s: %w", d, err))
			}
		}
	}
	return errors.Join(errs...)
}
