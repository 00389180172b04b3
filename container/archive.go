package container

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/archive"
	"github.com/container-runtime/container-runtime/internal/logctx"
)

// StatPath describes the path p of the container (cp's HEAD). A final
// symlink is not followed; its LinkTarget says where it leads inside the
// container. A missing path is ErrNotFound.
func (s *Service) StatPath(ctx context.Context, ref, p string) (api.PathStat, error) {
	root, err := s.openRoot(ctx, ref)
	if err != nil {
		return api.PathStat{}, err
	}
	defer root.close()
	return root.stat(p)
}

// CopyFrom writes the path p of the container to w as a tar (cp's GET):
// its top entry is named after p's last element, and a directory's content
// follows below it. The walk never leaves the container's root, even when
// the container swaps a directory for a symlink while it runs (see
// archive.WriteTree). stat is called with the path's PathStat before the
// first byte is written; an error returned before then means nothing was
// written.
func (s *Service) CopyFrom(ctx context.Context, ref, p string, stat func(api.PathStat), w io.Writer) error {
	root, err := s.openRoot(ctx, ref)
	if err != nil {
		return err
	}
	defer root.close()
	st, err := root.stat(p)
	if err != nil {
		return err
	}
	pfd, base, err := root.locate(p)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	if stat != nil {
		stat(st)
	}
	name := st.Name
	if name == "/" {
		name = "."
	}
	if root.shift == 0 {
		err = archive.WriteTree(ctx, w, pfd, base, name)
	} else {
		err = pipeTar(ctx, w, func(pw io.Writer) error {
			return archive.WriteTree(ctx, pw, pfd, base, name)
		}, root.toContainer)
	}
	if err != nil {
		return fmt.Errorf("copying %s out of container %s: %w", p, root.name, err)
	}
	s.publish(root.rec, "archive-path", nil)
	return nil
}

// CopyTo extracts the tar r into the directory p of the container (cp's
// PUT). p is resolved inside the container's root (its symlinks followed
// only inside it) and must be a directory. Entries are extracted with
// archive.Extract: every name resolved inside p, nothing followed out of
// it. Without opts.CopyUIDGID every entry belongs to the container's root
// user.
func (s *Service) CopyTo(ctx context.Context, ref, p string, opts api.CopyToOptions, r io.Reader) error {
	root, err := s.openRoot(ctx, ref)
	if err != nil {
		return err
	}
	defer root.close()
	dfd, err := root.open(p, unix.O_RDONLY|unix.O_DIRECTORY)
	switch {
	case errors.Is(err, unix.ENOTDIR):
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "copying into %s: extraction point is not a directory", p)
	case err != nil:
		return err
	}
	defer unix.Close(dfd)
	if pseudo, err := archive.IsPseudoFS(dfd); err != nil || pseudo {
		if err == nil {
			err = errdefs.Kindf(errdefs.ErrInvalidArgument, "copying into %s of container %s: it is a filesystem of the kernel's (proc, sysfs...), not files", p, root.name)
		}
		return err
	}
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(dfd, &sfs); err != nil {
		return fmt.Errorf("copying into %s: %w", p, &os.PathError{Op: "fstatfs", Path: p, Err: err})
	}
	if sfs.Flags&unix.ST_RDONLY != 0 {
		what := "mounted volume"
		if root.readOnly {
			what = "container rootfs"
		}
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "copying into %s of container %s: %s is marked read-only", p, root.name, what)
	}
	filter := func(h *tarHeader) error {
		if !opts.CopyUIDGID {
			h.Uid, h.Gid = 0, 0
		}
		if opts.NoOverwriteDirNonDir {
			if err := checkOverwrite(dfd, h); err != nil {
				return err
			}
		}
		return root.toHost(h)
	}
	rd, wait := filterTar(ctx, r, filter)
	err = archive.Extract(ctx, rd, fmt.Sprintf("/proc/self/fd/%d", dfd), archive.ExtractOptions{})
	if werr := wait(err); werr != nil {
		err = werr
	}
	if errors.Is(err, unix.EXDEV) {
		// Extraction never crosses a mount point below the destination:
		// it could lead into the container's /proc or /sys.
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "copying into %s of container %s: the tar reaches into another mount "+
			"(a volume, /proc...) below %s; copy into that mount's own path instead: %w", p, root.name, p, err)
	}
	if err != nil {
		return fmt.Errorf("copying into %s of container %s: %w", p, root.name, err)
	}
	s.publish(root.rec, "extract-to-dir", nil)
	return nil
}

// rootFS is a container's root directory opened for cp: for a running
// container its processes' view (through /proc/PID/root, with its volumes
// and bind mounts), for another its overlay, mounted for the time of the
// operation.
type rootFS struct {
	fd       int
	rec      *record
	name     string
	readOnly bool
	// shift is the first host id of the container's private user
	// namespace (0: none): a file owned by uid N in the container is
	// owned by host uid shift+N.
	shift   uint32
	release func()
}

func (r *rootFS) close() { r.release() }

// openRoot opens the root filesystem of the container ref. A stopped
// container's overlay is mounted and its lifecycle lock held until close,
// so that it cannot start (or be removed) meanwhile; a running one is only
// locked while its root is opened.
func (s *Service) openRoot(ctx context.Context, ref string) (*rootFS, error) {
	e, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	e.op.Lock()
	if e.isRemoved() {
		e.op.Unlock()
		return nil, errdefs.Kindf(errdefs.ErrNotFound, "no such container: %s", ref)
	}
	r := e.snapshot()
	root := &rootFS{rec: r, name: r.Name, readOnly: r.Config.ReadOnly, shift: r.usernsRange()}
	if r.State.Status == StateRunning || r.State.Status == StatePaused {
		defer e.op.Unlock()
		fd, err := s.openProcRoot(r)
		if err != nil {
			return nil, err
		}
		root.fd, root.release = fd, func() { unix.Close(fd) }
		return root, nil
	}
	if err := s.mountRootfs(ctx, r); err != nil {
		e.op.Unlock()
		return nil, err
	}
	fd, err := unix.Open(s.rootfsDir(r.ID), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		err = fmt.Errorf("opening the root file system of %s: %w", r.Name, err)
		if uerr := s.unmountRootfs(r.ID); uerr != nil {
			err = errors.Join(err, uerr)
		}
		e.op.Unlock()
		return nil, err
	}
	root.fd = fd
	root.release = func() {
		unix.Close(fd)
		if err := s.unmountRootfs(r.ID); err != nil {
			logctx.From(ctx).Warn("unmounting after a copy", "container", r.ID, "error", err)
		}
		e.op.Unlock()
	}
	return root, nil
}

// openProcRoot opens /proc/PID/root of the container's init and checks
// that it is the container's overlay (the same inode as the host's mount
// of it), so that a PID reused by another process is never taken for the
// container.
func (s *Service) openProcRoot(r *record) (int, error) {
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/root", r.State.Pid), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, errdefs.Kindf(errdefs.ErrConflict, "opening the root of container %s: %w", r.Name, err)
	}
	var got, want unix.Stat_t
	err = unix.Fstat(fd, &got)
	if err == nil {
		err = unix.Stat(s.rootfsDir(r.ID), &want)
	}
	if err != nil || got.Dev != want.Dev || got.Ino != want.Ino {
		unix.Close(fd)
		return -1, errdefs.Kindf(errdefs.ErrConflict, "container %s stopped while its root was opened", r.Name)
	}
	return fd, nil
}

// inRoot makes every lookup behave as if the container's root were "/":
// ".." stops at it, absolute symlinks resolve from it, /proc magic links
// are refused. Mount points are crossed (a running container's volumes).
const inRoot = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// open opens the container path p, following its symlinks inside the root.
func (r *rootFS) open(p string, flags int) (int, error) {
	rel := relPath(p)
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: inRoot}
	for range 64 {
		fd, err := unix.Openat2(r.fd, rel, &how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue // a rename raced with the lookup
		}
		if errors.Is(err, unix.ENOENT) {
			return -1, r.notFound(p)
		}
		if err != nil {
			return -1, &os.PathError{Op: "openat2", Path: p, Err: err}
		}
		return fd, nil
	}
	return -1, &os.PathError{Op: "openat2", Path: p, Err: unix.EAGAIN}
}

// locate returns the directory holding p's last element (open as O_PATH)
// and that element's name in it. The last element is not followed, unless
// p ends in "/" or "/." (then it must lead to a directory, which is
// returned as ".").
func (r *rootFS) locate(p string) (int, string, error) {
	rel := relPath(p)
	if rel == "." || strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") {
		fd, err := r.open(p, unix.O_PATH|unix.O_DIRECTORY)
		if errors.Is(err, unix.ENOTDIR) {
			return -1, "", errdefs.Kindf(errdefs.ErrInvalidArgument, "%s in container %s is not a directory", p, r.name)
		}
		return fd, ".", err
	}
	fd, err := r.open(path.Dir(rel), unix.O_PATH|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOTDIR) {
		return -1, "", r.notFound(p)
	}
	return fd, path.Base(rel), err
}

// stat describes p (see StatPath).
func (r *rootFS) stat(p string) (api.PathStat, error) {
	pfd, base, err := r.locate(p)
	if err != nil {
		return api.PathStat{}, err
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return api.PathStat{}, r.notFound(p)
		}
		return api.PathStat{}, &os.PathError{Op: "lstat", Path: p, Err: err}
	}
	clean := path.Clean("/" + p)
	out := api.PathStat{
		Name:  path.Base(clean),
		Size:  st.Size,
		Mode:  fileMode(st.Mode),
		Mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		// Only a name for the client to ask for next: every access goes
		// through open again, inside the root.
		procRoot := fmt.Sprintf("/proc/self/fd/%d", r.fd)
		if joined, err := securejoin.SecureJoin(procRoot, clean); err == nil {
			out.LinkTarget = path.Clean("/" + strings.TrimPrefix(joined, procRoot))
		}
	}
	return out, nil
}

// notFound is Docker's error for a missing path.
func (r *rootFS) notFound(p string) error {
	return errdefs.Kindf(errdefs.ErrNotFound, "Could not find the file %s in container %s", p, r.name)
}

// toHost maps the owners of an entry going into the container to host ids.
func (r *rootFS) toHost(h *tarHeader) error {
	if r.shift == 0 {
		return nil
	}
	if h.Uid < 0 || h.Uid >= usernsSize || h.Gid < 0 || h.Gid >= usernsSize {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "%s: owner %d:%d is not mapped in the container's user namespace", h.Name, h.Uid, h.Gid)
	}
	h.Uid += int(r.shift)
	h.Gid += int(r.shift)
	return nil
}

// toContainer maps the host owners of an entry coming out of the container
// to the container's ids (an id outside its range becomes nobody, 65534,
// as the container itself sees it).
func (r *rootFS) toContainer(h *tarHeader) error {
	h.Uid, h.Gid = unshift(h.Uid, r.shift), unshift(h.Gid, r.shift)
	return nil
}

func unshift(id int, shift uint32) int {
	if id >= int(shift) && id < int(shift)+usernsSize {
		return id - int(shift)
	}
	return 65534
}

// relPath turns a container path into one relative to its root.
func relPath(p string) string {
	c := strings.TrimPrefix(path.Clean("/"+p), "/")
	if c == "" {
		return "."
	}
	return c
}

// fileMode converts a stat mode into Go's os.FileMode (Docker's PathStat
// mode).
func fileMode(m uint32) os.FileMode {
	mode := os.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= os.ModeDir
	case unix.S_IFLNK:
		mode |= os.ModeSymlink
	case unix.S_IFIFO:
		mode |= os.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= os.ModeSocket
	case unix.S_IFCHR:
		mode |= os.ModeDevice | os.ModeCharDevice
	case unix.S_IFBLK:
		mode |= os.ModeDevice
	}
	if m&unix.S_ISUID != 0 {
		mode |= os.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= os.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= os.ModeSticky
	}
	return mode
}

// checkOverwrite refuses an entry that would replace a directory of the
// destination with a non-directory or the reverse (Docker's
// noOverwriteDirNonDir). It only looks: the extraction itself stays inside
// the destination whatever this finds.
func checkOverwrite(dfd int, h *tarHeader) error {
	rel := relPath(h.Name)
	if rel == "." {
		return nil
	}
	pfd, err := unix.Openat2(dfd, path.Dir(rel), &unix.OpenHow{
		Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: inRoot | unix.RESOLVE_NO_XDEV})
	if err != nil {
		return nil // nothing there yet (or not a directory): the extraction decides
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, path.Base(rel), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil
	}
	isDir, entryDir := st.Mode&unix.S_IFMT == unix.S_IFDIR, h.Typeflag == tar.TypeDir
	switch {
	case isDir && !entryDir:
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "cannot overwrite directory %q with non-directory %q", "/"+rel, h.Name)
	case !isDir && entryDir:
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "cannot overwrite non-directory %q with directory %q", "/"+rel, h.Name)
	}
	return nil
}
