package builder

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"golang.org/x/sys/unix"
)

// layerWriter writes files into a new layer directory (the upper layer)
// at in-image paths, as if into the merged tree of the image so far:
// symlinks of the image are followed with "/" as the root, so that
// writing /bin/x where /bin is a link to usr/bin writes usr/bin/x, and a
// directory that exists below gets a copy of its metadata in the new layer
// before anything is written into it.
//
// Every host path it writes to is the upper directory joined with a path
// it has resolved itself, whose components in the upper directory it made
// or found to be real directories: nothing written can follow a symlink
// out of the layer.
type layerWriter struct {
	upper string
	view  layerView
	// dirs caches resolved directories: in-image path -> resolved path,
	// present as a directory in the upper layer.
	dirs map[string]string
}

// newLayerWriter returns a writer into upper over lowers (top first).
func newLayerWriter(upper string, lowers []string) *layerWriter {
	return &layerWriter{
		upper: upper,
		view:  layerView{dirs: append([]string{upper}, lowers...)},
		dirs:  map[string]string{},
	}
}

// owner is a uid and gid.
type owner struct{ uid, gid int }

// dir resolves the in-image directory p and makes sure it exists in the
// upper layer. Directories that exist in the merged tree keep their
// metadata; missing ones are created with mode and own.
func (w *layerWriter) dir(p string, mode fs.FileMode, own owner) (string, error) {
	if r, ok := w.dirs[p]; ok {
		return r, nil
	}
	resolved, err := w.view.resolve(p)
	if err != nil {
		return "", err
	}
	for _, q := range append(ancestors(resolved), resolved) {
		if q == "/" {
			continue
		}
		if err := w.ensureDir(q, mode, own); err != nil {
			return "", err
		}
	}
	w.dirs[p] = resolved
	return resolved, nil
}

// ensureDir makes the resolved in-image directory q exist in the upper
// layer, copying the metadata of q in the layers below when it is there.
func (w *layerWriter) ensureDir(q string, mode fs.FileMode, own owner) error {
	host := filepath.Join(w.upper, q)
	if fi, err := os.Lstat(host); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory: %w", q, errdefs.ErrInvalidArgument)
		}
		return nil
	}
	_, fi, err := w.view.lstat(q)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%s is not a directory: %w", q, errdefs.ErrInvalidArgument)
	case err == nil:
		st := fi.Sys().(*syscall.Stat_t)
		if err := os.Mkdir(host, 0o700); err != nil {
			return fmt.Errorf("creating directory %s: %w", host, err)
		}
		return setMeta(host, int(st.Uid), int(st.Gid), fi.Mode(), fi.ModTime())
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(host, 0o700); err != nil {
			return fmt.Errorf("creating directory %s: %w", host, err)
		}
		return setMeta(host, own.uid, own.gid, mode|fs.ModeDir, time.Time{})
	default:
		return err
	}
}

// place resolves the parent of the in-image path p, creates it in the
// upper layer, and returns where p goes on the host after removing what
// the upper layer had there. It refuses to replace a directory of the
// image with a non-directory.
func (w *layerWriter) place(p string, isDir bool) (string, error) {
	parent, err := w.dir(path.Dir(p), 0o755, owner{})
	if err != nil {
		return "", err
	}
	target := path.Join(parent, path.Base(p))
	host := filepath.Join(w.upper, target)
	if _, fi, err := w.view.lstat(target); err == nil && fi.IsDir() && !isDir {
		return "", fmt.Errorf("cannot replace directory %s with a file: %w", target, errdefs.ErrInvalidArgument)
	}
	if fi, err := os.Lstat(host); err == nil && !(fi.IsDir() && isDir) {
		if err := os.RemoveAll(host); err != nil {
			return "", fmt.Errorf("replacing %s: %w", host, err)
		}
		w.forget()
	}
	return host, nil
}

// forget drops the cached resolutions after a path they may go through
// changed (rare: only archives replace paths).
func (w *layerWriter) forget() {
	clear(w.dirs)
}

// writeFile writes r to the in-image path p.
func (w *layerWriter) writeFile(p string, r io.Reader, mode fs.FileMode, own owner, mtime time.Time) error {
	host, err := w.place(p, false)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(host, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("creating %s: %w", host, err)
	}
	// io.Copy from an *os.File uses copy_file_range, which clones extents
	// on filesystems that can.
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", host, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", host, err)
	}
	return setMeta(host, own.uid, own.gid, mode, mtime)
}

// writeDir creates the in-image directory p, or takes over the one the
// image has (following a symlink to it), and gives it mode, own and mtime.
func (w *layerWriter) writeDir(p string, mode fs.FileMode, own owner, mtime time.Time) error {
	resolved, err := w.dir(p, mode, own)
	if err != nil {
		return err
	}
	return setMeta(filepath.Join(w.upper, resolved), own.uid, own.gid, mode|fs.ModeDir, mtime)
}

// writeSymlink creates a symlink at the in-image path p.
func (w *layerWriter) writeSymlink(p, target string, own owner, mtime time.Time) error {
	host, err := w.place(p, false)
	if err != nil {
		return err
	}
	if err := os.Symlink(target, host); err != nil {
		return fmt.Errorf("creating symlink %s: %w", host, err)
	}
	w.forget()
	return setMeta(host, own.uid, own.gid, fs.ModeSymlink, mtime)
}

// writeNode creates a device node or FIFO at the in-image path p. A 0/0
// character device is refused: in a layer it is a whiteout, which would
// delete the path from the image.
func (w *layerWriter) writeNode(p string, mode fs.FileMode, dev uint64, own owner, mtime time.Time) error {
	var kind uint32
	switch {
	case mode&fs.ModeCharDevice != 0:
		if dev == 0 {
			return fmt.Errorf("%s is a 0/0 character device (an overlay whiteout): %w", p, errdefs.ErrInvalidArgument)
		}
		kind = unix.S_IFCHR
	case mode&fs.ModeDevice != 0:
		kind = unix.S_IFBLK
	case mode&fs.ModeNamedPipe != 0:
		kind = unix.S_IFIFO
	default:
		return fmt.Errorf("%s: unsupported file type %s: %w", p, mode.Type(), errdefs.ErrInvalidArgument)
	}
	host, err := w.place(p, false)
	if err != nil {
		return err
	}
	if err := unix.Mknod(host, kind|uint32(mode.Perm()), int(dev)); err != nil {
		return fmt.Errorf("mknod %s: %w", host, err)
	}
	return setMeta(host, own.uid, own.gid, mode, mtime)
}

// link makes the in-image path p a hard link to oldp, both in the new
// layer; when oldp is in a lower layer it copies the file instead, since a
// hard link across layers would let a change of one layer change another.
func (w *layerWriter) link(p, oldp string) error {
	oldResolved, err := w.dir(path.Dir(oldp), 0o755, owner{})
	if err != nil {
		return err
	}
	oldTarget := path.Join(oldResolved, path.Base(oldp))
	oldHost := filepath.Join(w.upper, oldTarget)
	fi, err := os.Lstat(oldHost)
	if err != nil || fi.IsDir() {
		// Not in this layer: copy what the image has there.
		lowerHost, lfi, err := w.view.lstat(oldTarget)
		if err != nil || !lfi.Mode().IsRegular() {
			return fmt.Errorf("hard link %s: target %s is not a file in the image: %w", p, oldp, errdefs.ErrInvalidArgument)
		}
		f, err := os.Open(lowerHost)
		if err != nil {
			return err
		}
		defer f.Close()
		st := lfi.Sys().(*syscall.Stat_t)
		return w.writeFile(p, f, lfi.Mode(), owner{int(st.Uid), int(st.Gid)}, lfi.ModTime())
	}
	host, err := w.place(p, false)
	if err != nil {
		return err
	}
	if err := os.Link(oldHost, host); err != nil {
		return fmt.Errorf("hard link %s: %w", host, err)
	}
	return nil
}

// setMeta sets the owner, permission bits and modification time of host
// (not following a symlink). The mode is set after the owner because
// chown clears the set-user-id and set-group-id bits. A zero mtime leaves
// it as it is.
func setMeta(host string, uid, gid int, mode fs.FileMode, mtime time.Time) error {
	if err := os.Lchown(host, uid, gid); err != nil {
		return fmt.Errorf("chown %s: %w", host, err)
	}
	if mode&fs.ModeSymlink == 0 {
		if err := unix.Fchmodat(unix.AT_FDCWD, host, unixMode(mode), 0); err != nil {
			return fmt.Errorf("chmod %s: %w", host, err)
		}
	}
	if !mtime.IsZero() {
		ts := []unix.Timespec{unix.NsecToTimespec(mtime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, host, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("setting times of %s: %w", host, err)
		}
	}
	return nil
}

// unixMode converts the permission and special bits of m to a Unix mode.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= unix.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		u |= unix.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		u |= unix.S_ISVTX
	}
	return u
}
