package cgroup

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// On a hybrid host the library's v1 manager joins the cgroup2 hierarchy
// (the "" path) but never writes a limit there. Two kinds of limit can only
// live there:
//
//   - hugetlb, when the kernel gave that controller to cgroup2 rather than
//     to a v1 mount (this machine: v1 has no hugetlb, cgroup2 has only
//     hugetlb). The library would fail with "cannot set hugetlb limit".
//   - linux.resources.unified entries, which the spec defines as files of
//     the unified hierarchy; the v1 manager refuses them.
//
// setV2Files writes those into the container's cgroup2 directory dir below
// the cgroup2 mount root, after enabling their controllers in
// cgroup.subtree_control of every ancestor (cgroup2 only shows a
// controller's files in a cgroup whose parent enabled it).

// setV2Files writes hugetlb limits and unified entries into dir, a cgroup
// below the cgroup2 mount point root. It fails with ErrUnavailable when a
// needed controller is not available in root.
func setV2Files(root, dir string, hugetlb []*cgroups.HugepageLimit, unified map[string]string) error {
	available, err := readList(root, "cgroup.controllers")
	if err != nil {
		return err
	}
	need := map[string]bool{}
	if len(hugetlb) > 0 {
		if !slices.Contains(available, "hugetlb") {
			return fmt.Errorf("linux.resources.hugepageLimits: hugetlb is not a controller of any hierarchy on this host: %w", errdefs.ErrUnavailable)
		}
		need["hugetlb"] = true
	}
	keys := slices.Sorted(maps.Keys(unified))
	for _, k := range keys {
		c, _, _ := strings.Cut(k, ".")
		switch {
		case c == "cgroup":
			// cgroup.* core files exist in every cgroup.
		case !slices.Contains(available, c):
			return fmt.Errorf("linux.resources.unified[%q]: controller %q is not available in the cgroup2 hierarchy (it has %q): %w",
				k, c, available, errdefs.ErrUnavailable)
		default:
			need[c] = true
		}
	}
	if err := enableControllers(root, dir, slices.Sorted(maps.Keys(need))); err != nil {
		return err
	}
	for _, h := range hugetlb {
		if err := setHugetlbV2(dir, h); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if err := writeLines(dir, k, unified[k]); err != nil {
			return fmt.Errorf("linux.resources.unified[%q]: %w", k, err)
		}
	}
	return nil
}

// setHugetlbV2 writes one hugetlb limit in cgroup2's names: the usage limit
// hugetlb.<size>.max, and the reservation limit hugetlb.<size>.rsvd.max
// where the kernel has it (5.7+), as the library's fs2 manager does.
func setHugetlbV2(dir string, h *cgroups.HugepageLimit) error {
	val := strconv.FormatUint(h.Limit, 10)
	prefix := "hugetlb." + h.Pagesize
	if err := writeLines(dir, prefix+".max", val); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("linux.resources.hugepageLimits %s: this host has no such huge page size: %w", h.Pagesize, errdefs.ErrUnavailable)
		}
		return fmt.Errorf("linux.resources.hugepageLimits %s: %w", h.Pagesize, err)
	}
	if err := writeLines(dir, prefix+".rsvd.max", val); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("linux.resources.hugepageLimits %s: %w", h.Pagesize, err)
	}
	return nil
}

// enableControllers makes sure every cgroup from root down to dir's parent
// lists ctrls in its cgroup.subtree_control, writing only the missing ones
// (so an already set-up path costs reads only).
func enableControllers(root, dir string, ctrls []string) error {
	if len(ctrls) == 0 {
		return nil
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("cgroup %s is not below the cgroup2 root %s: %w", dir, root, errdefs.ErrInvalidArgument)
	}
	parent := root
	for _, elem := range strings.Split(rel, "/") {
		enabled, err := readList(parent, "cgroup.subtree_control")
		if err != nil {
			return err
		}
		var add []string
		for _, c := range ctrls {
			if !slices.Contains(enabled, c) {
				add = append(add, "+"+c)
			}
		}
		if len(add) > 0 {
			if err := writeLines(parent, "cgroup.subtree_control", strings.Join(add, " ")); err != nil {
				return fmt.Errorf("enabling controllers: %w", err)
			}
		}
		parent = filepath.Join(parent, elem)
	}
	return nil
}

// readList reads a cgroup file holding a space-separated list.
func readList(dir, file string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, tag(err)
	}
	return strings.Fields(string(b)), nil
}

// writeLines writes data to an existing cgroup file, one write(2) per line:
// the kernel parses each write as one command, so a multi-line value such as
// "8:0 rbps=1\n8:16 rbps=2" must not arrive in one write. The file is never
// created or truncated (cgroupfs files are not regular files).
func writeLines(dir, file, data string) error {
	p := filepath.Join(dir, file)
	f, err := os.OpenFile(p, os.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return tag(err)
	}
	defer f.Close()
	for line := range strings.Lines(data) {
		if line = strings.TrimSuffix(line, "\n"); line == "" {
			continue
		}
		if _, err := f.WriteString(line); err != nil {
			return tag(fmt.Errorf("writing %q to %s: %w", line, p, err))
		}
	}
	return nil
}
