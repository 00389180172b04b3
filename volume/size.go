package volume

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// fileID names an inode: a file's hard links share it.
type fileID struct{ dev, ino uint64 }

// Size is what the content of dir takes, counted as Docker's system df
// counts a local volume (its pkg/directory): the apparent size of every
// entry except directories; symbolic links are not followed (a link
// counts its own length); a file with several hard links counts once.
// Unlike Docker it does not descend into a directory on another device
// (something mounted into the volume from the host is not its content).
//
// The walk is bounded by ctx; only the inodes with several links are
// remembered, so memory grows with the hard links, not the files. An
// entry removed during the walk is skipped; any other failure to read
// (and dir missing) is the error, with the size counted so far.
func Size(ctx context.Context, dir string) (int64, error) {
	root, err := os.Lstat(dir)
	if err != nil {
		return 0, fmt.Errorf("measuring %s: %w", dir, err)
	}
	rootDev := root.Sys().(*syscall.Stat_t).Dev
	seen := map[fileID]struct{}{}
	var n int64
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p != dir {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		if d.IsDir() {
			if st.Dev != rootDev {
				return filepath.SkipDir
			}
			return nil
		}
		if st.Nlink > 1 {
			id := fileID{dev: st.Dev, ino: st.Ino}
			if _, dup := seen[id]; dup {
				return nil
			}
			seen[id] = struct{}{}
		}
		n += info.Size()
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("measuring %s: %w", dir, err)
	}
	return n, nil
}
