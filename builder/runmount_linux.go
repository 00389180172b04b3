package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/mounttree"
	"github.com/container-runtime/container-runtime/snapshot"
	digest "github.com/opencontainers/go-digest"
)

// stagedMounts are the mounts of one RUN step made ready on the host, in
// a directory of their own under the builder's mount directory (so that
// builder.CleanLeftovers unmounts and removes whatever a killed daemon
// left of them), with the OCI mounts that put them in the container.
//
// A bind's source is resolved inside its root (the context, or the
// stage's or image's layers) by openat2 with RESOLVE_IN_ROOT: "..",
// absolute symlinks and symlinks with ".." all stay inside that root.
// The opened directory or file is then cloned as a detached mount
// (open_tree) and made read-only before it is attached under dir, so
// nothing between the resolution and the mount can swap a path (the
// race of CVE-2024-23651/23652's class). A writable bind is an OverlayFS
// on that read-only mount whose upper directory is thrown away.
type stagedMounts struct {
	dir   string
	specs []specs.Mount
	// mounted are the mount points under dir, unmounted in reverse.
	mounted []string
	// unlock releases the caches the step holds.
	unlock []func()
}

// stageMounts prepares mounts (and the heredoc script, if any) for a RUN
// step of s. On error nothing is left.
func (s *stageRun) stageMounts(ctx context.Context, mounts []runMount, script *heredocScript) (_ *stagedMounts, err error) {
	sm := &stagedMounts{}
	if len(mounts) == 0 && script == nil {
		return sm, nil
	}
	if sm.dir, err = s.r.b.mountPoint("mounts-", "the RUN step's mounts"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, sm.release())
		}
	}()
	for i, m := range mounts {
		name := filepath.Join(sm.dir, strconv.Itoa(i))
		switch m.kind {
		case "tmpfs":
			opts := []string{"nosuid", "nodev", "mode=755"}
			if m.size > 0 {
				opts = append(opts, "size="+strconv.FormatInt(m.size, 10))
			}
			sm.specs = append(sm.specs, specs.Mount{Destination: m.target, Type: "tmpfs", Source: "tmpfs", Options: opts})
		case "cache":
			src, err := s.r.b.cacheDir(ctx, m, sm, name)
			if err != nil {
				return nil, err
			}
			sm.specs = append(sm.specs, bindSpec(m.target, src, m.readOnly))
		case "bind":
			src, err := s.stageBind(ctx, m, sm, name)
			if err != nil {
				return nil, err
			}
			sm.specs = append(sm.specs, bindSpec(m.target, src, m.readOnly))
		default:
			return nil, refuse("RUN --mount=type=%s is not supported", m.kind)
		}
	}
	if script != nil {
		p := filepath.Join(sm.dir, "heredoc-"+strconv.Itoa(len(mounts)))
		if err := os.WriteFile(p, script.data, 0o755); err != nil {
			return nil, fmt.Errorf("RUN: writing the heredoc %s: %w", script.name, err)
		}
		sm.specs = append(sm.specs, bindSpec(filepath.Join(heredocScriptDir, script.name), p, true))
	}
	return sm, nil
}

// bindSpec is the OCI bind mount of host path src at target.
func bindSpec(target, src string, ro bool) specs.Mount {
	opts := []string{"rbind", "nosuid", "nodev"}
	if ro {
		opts = append(opts, "ro")
	} else {
		opts = append(opts, "rw")
	}
	return specs.Mount{Destination: target, Type: "bind", Source: src, Options: opts}
}

// release unmounts and removes what the step's mounts staged, and lets
// go of its caches.
func (sm *stagedMounts) release() error {
	for _, u := range sm.unlock {
		u()
	}
	sm.unlock = nil
	if sm.dir == "" {
		return nil
	}
	var errs []error
	for i := len(sm.mounted) - 1; i >= 0; i-- {
		if err := snapshot.Unmount(sm.mounted[i]); err != nil {
			errs = append(errs, err)
		}
	}
	sm.mounted = nil
	if err := mounttree.Unmount(sm.dir); err != nil {
		errs = append(errs, err)
	}
	if err := mounttree.RemoveAll(sm.dir); err != nil {
		errs = append(errs, fmt.Errorf("removing the RUN step's mounts %s: %w", sm.dir, err))
	}
	sm.dir = ""
	return errors.Join(errs...)
}

// stageBind mounts a bind's source at name (read-only, or as a throwaway
// overlay when rw) and returns the path to bind into the container.
func (s *stageRun) stageBind(ctx context.Context, m runMount, sm *stagedMounts, name string) (string, error) {
	root, source := s.r.ctxDir, m.source
	if m.from == "" && s.r.ignore != nil {
		// A .dockerignore: bind a copy without the excluded files.
		filtered := name + "-ctx"
		if err := os.Mkdir(filtered, 0o755); err != nil {
			return "", fmt.Errorf("RUN --mount: %w", err)
		}
		if err := s.contextCopy(m.source, filepath.Join(filtered, "src")); err != nil {
			return "", err
		}
		root, source = filtered, "src"
	} else if m.from != "" {
		layers, err := s.mountFromLayers(ctx, m.from)
		if err != nil {
			return "", err
		}
		root = name + "-from"
		if err := os.Mkdir(root, 0o700); err != nil {
			return "", fmt.Errorf("RUN --mount: %w", err)
		}
		if lowers := s.r.b.Store.LowerDirs(layers); len(lowers) > 0 {
			if err := snapshot.Mount(ctx, root, lowers, "", ""); err != nil {
				return "", fmt.Errorf("RUN --mount=from=%s: mounting its layers: %w", m.from, err)
			}
			sm.mounted = append(sm.mounted, root)
		}
	}
	fd, isDir, err := openInRoot(root, source)
	if err != nil {
		where := "the build context"
		if m.from != "" {
			where = m.from
		}
		return "", withKind(fmt.Errorf("RUN --mount=type=bind,source=%s: not found in %s: %w", m.source, where, err), errdefs.ErrInvalidArgument)
	}
	defer unix.Close(fd)
	ro := name + "-ro"
	if err := makeMountPoint(ro, isDir); err != nil {
		return "", err
	}
	if err := attachReadOnly(fd, ro); err != nil {
		return "", fmt.Errorf("RUN --mount=type=bind,source=%s: %w", m.source, err)
	}
	sm.mounted = append(sm.mounted, ro)
	if m.readOnly {
		return ro, nil
	}
	if !isDir {
		// A writable file: a copy whose changes are dropped.
		return name + "-copy", copyFile(ro, name+"-copy")
	}
	upper, work, merged := name+"-upper", name+"-work", name+"-rw"
	for _, d := range []string{upper, work, merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", fmt.Errorf("RUN --mount: %w", err)
		}
	}
	if err := snapshot.Mount(ctx, merged, []string{ro}, upper, work); err != nil {
		return "", fmt.Errorf("RUN --mount=type=bind,source=%s,rw: %w", m.source, err)
	}
	sm.mounted = append(sm.mounted, merged)
	return merged, nil
}

// mountFromLayers resolves a bind's from= to the layers of an earlier
// stage (built first if needed) or an image of the store.
func (s *stageRun) mountFromLayers(ctx context.Context, from string) ([]digest.Digest, error) {
	r := s.r
	if j, ok := r.stageRef(from, s.index); ok {
		res, err := r.stageResult(ctx, j)
		if err != nil {
			return nil, err
		}
		return res.state.Layers, nil
	}
	if r.df.stageIndex(from, len(r.df.stages)) >= 0 {
		return nil, refuse("RUN --mount=from=%s: the stage is defined later in the Dockerfile", from)
	}
	img, err := r.b.Store.Image(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("RUN --mount=from=%s: no such stage or image: %w", from, err)
	}
	r.b.Store.Lease(ctx, img.Layers...)
	return img.Layers, nil
}

// openInRoot opens rel (an O_PATH descriptor) inside root, resolving
// every component, symlinks and ".." included, as if root were "/".
func openInRoot(root, rel string) (fd int, isDir bool, err error) {
	rfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, false, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(rfd)
	rel = strings.TrimLeft(filepath.Clean("/"+rel), "/")
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err = unix.Openat2(rfd, rel, &how)
		if err != unix.EINTR && err != unix.EAGAIN {
			break
		}
	}
	if err != nil {
		return -1, false, &os.PathError{Op: "openat2", Path: rel, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, false, err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return fd, true, nil
	case unix.S_IFREG:
		return fd, false, nil
	}
	unix.Close(fd)
	return -1, false, errors.New("not a directory or a regular file")
}

// attachReadOnly clones the file or directory open at fd as a detached
// mount, makes it read-only, nosuid and nodev, and attaches it at target.
func attachReadOnly(fd int, target string) error {
	tree, err := unix.OpenTree(fd, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH)
	if err != nil {
		return fmt.Errorf("open_tree: %w", err)
	}
	defer unix.Close(tree)
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		return fmt.Errorf("mount_setattr read-only: %w", err)
	}
	if err := unix.MoveMount(tree, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount to %s: %w", target, err)
	}
	return nil
}

// makeMountPoint makes an empty directory, or an empty file, at p.
func makeMountPoint(p string, dir bool) error {
	if dir {
		return os.Mkdir(p, 0o755)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

// copyFile copies the regular file src to a new file dst, keeping its
// permission bits.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
