package container

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/container-runtime/container-runtime/api"
)

// DiskUsage measures the containers' directories under Root and fills
// ContainersSize (the containers' own files: writable layers, config)
// and LogsSize (their container.log* files); the image fields are the
// image service's. It counts allocated blocks and does not descend into
// mounts (a running container's rootfs is the image's layers, counted
// with the images).
func (s *Service) DiskUsage(ctx context.Context) (api.DiskUsage, error) {
	var du api.DiskUsage
	dir := filepath.Join(s.root, "containers")
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return du, nil
	} else if err != nil {
		return du, fmt.Errorf("measuring the containers' disk usage: %w", err)
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
			du.LogsSize += sys.Blocks * 512
		} else {
			du.ContainersSize += sys.Blocks * 512
		}
		return nil
	})
	if err != nil {
		return api.DiskUsage{}, fmt.Errorf("measuring the containers' disk usage: %w", err)
	}
	return du, nil
}
