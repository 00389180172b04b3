package daemon

import (
	"bufio"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// cgroupLayout names the host's cgroup layout (legacy, hybrid, unified).
func cgroupLayout() string { return cgroup.Mode().String() }

// kernelRelease is uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// selfRSS is the daemon's resident set size in bytes (VmRSS), 0 when
// unknown.
func selfRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// containersUsage measures root/containers: the bytes of the containers'
// own files (writable layers, config) and, separately, of their log
// files (container.log*). It does not descend into mounts (a running
// container's rootfs is the image's layers, counted with the images).
func containersUsage(ctx context.Context, root string) (files, logs int64, err error) {
	dir := filepath.Join(root, "containers")
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	} else if err != nil {
		return 0, 0, err
	}
	dev := st.Sys().(*syscall.Stat_t).Dev
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// A container removed while we walk.
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		sys, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		if d.IsDir() && sys.Dev != dev {
			return filepath.SkipDir
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		if strings.HasPrefix(d.Name(), "container.log") {
			logs += sys.Blocks * 512
		} else {
			files += sys.Blocks * 512
		}
		return nil
	})
	return files, logs, err
}
