package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
	"github.com/container-runtime/container-runtime/errdefs"
)

// cpOptions are cp's flags.
type cpOptions struct {
	archive, followLink, quiet bool
}

// cpCommand is Docker's cp.
func (c *cli) cpCommand() *cobra.Command {
	var opts cpOptions
	cmd := &cobra.Command{
		Use:   "cp [-a] [-L] [-q] CONTAINER:SRC_PATH DEST_PATH|-\n  cp [-a] [-L] [-q] SRC_PATH|- CONTAINER:DEST_PATH",
		Short: "Copy files and directories between a container (running or stopped) and the local filesystem",
		Long: `Copy files and directories between a container and the local filesystem, as
Docker's cp. The container may be running or stopped; paths in it are relative
to its root. "-" as SRC_PATH reads a tar from stdin and extracts it into the
directory DEST_PATH; "-" as DEST_PATH writes a tar of SRC_PATH to stdout.

A directory is copied into an existing directory DEST_PATH, or becomes
DEST_PATH when that does not exist; SRC_PATH ending in "/." copies a
directory's content instead. A file replaces an existing file DEST_PATH or
goes into an existing directory; DEST_PATH ending in "/" must be an existing
directory.

Files copied into a container belong to its root user, files copied out to
the user running cp; -a keeps the owners of the source. Device nodes are not
created on the local machine.`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			return refused(c.cp(cmd.Context(), args[0], args[1], opts))
		},
	}
	fs := cmd.Flags()
	fs.BoolVarP(&opts.archive, "archive", "a", false, "archive mode: keep the owners (uid:gid) of the source")
	fs.BoolVarP(&opts.followLink, "follow-link", "L", false, "always follow a symbolic link in SRC_PATH")
	fs.BoolVarP(&opts.quiet, "quiet", "q", false, "do not print the copied size (printed only to a terminal)")
	return cmd
}

// cpArg splits a cp argument into a container and a path: CONTAINER:PATH,
// unless it is "-" or starts like a local path ("/", "./", "../"), so that
// a local path may hold a colon.
func cpArg(arg string) (container, p string) {
	if arg == "-" || filepath.IsAbs(arg) || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	container, p, ok := strings.Cut(arg, ":")
	if !ok {
		return "", arg
	}
	return container, p
}

func (c *cli) cp(ctx context.Context, src, dst string, opts cpOptions) error {
	srcContainer, srcPath := cpArg(src)
	dstContainer, dstPath := cpArg(dst)
	switch {
	case srcContainer != "" && dstContainer != "":
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "copying between containers is not supported")
	case srcContainer == "" && dstContainer == "":
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "one of SRC_PATH and DEST_PATH must be CONTAINER:PATH")
	case srcPath == "" || dstPath == "":
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "a path is required after the container's name")
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	if srcContainer != "" {
		return c.copyFromContainer(ctx, cl, srcContainer, srcPath, dstPath, opts)
	}
	return c.copyToContainer(ctx, cl, srcPath, dstContainer, dstPath, opts)
}

// containerPath makes a container path absolute (cp takes them relative
// to the root), keeping a trailing "/" or "/.".
func containerPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return "/" + p
	}
	return p
}

// copiesContent reports whether a source path asks for a directory's
// content rather than the directory ("dir/.").
func copiesContent(p string) bool {
	return p == "." || strings.HasSuffix(p, string(filepath.Separator)+".")
}

// endsWithSep reports whether a path names a directory by its trailing
// separator ("dir/" or "dir/.").
func endsWithSep(p string) bool {
	return strings.HasSuffix(p, "/") || copiesContent(p)
}

func (c *cli) copyFromContainer(ctx context.Context, cl *client.Client, ctr, srcPath, dstPath string, opts cpOptions) error {
	srcPath = containerPath(srcPath)
	getPath, name := srcPath, path.Base(path.Clean(srcPath))
	if opts.followLink {
		st, err := cl.ContainerStatPath(ctx, ctr, srcPath)
		if err != nil {
			return err
		}
		if st.Mode&os.ModeSymlink != 0 && st.LinkTarget != "" {
			getPath = st.LinkTarget
		}
	}
	rc, st, err := cl.CopyFromContainer(ctx, ctr, getPath)
	if err != nil {
		return err
	}
	defer rc.Close()
	if dstPath == "-" {
		if _, ok := terminal(c.out); ok {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "refusing to write a tar to a terminal: redirect the output")
		}
		if _, err := io.Copy(c.out, rc); err != nil {
			return fmt.Errorf("copying %s:%s to stdout: %w", ctr, srcPath, err)
		}
		return nil
	}
	// The tar's top entry is named after the path the daemon read.
	top := st.Name
	if top == "/" {
		top, name = ".", "."
	}
	isDir := st.Mode.IsDir()
	ext := hostExtract{from: top, preserveOwners: opts.archive, warn: c.err, single: !isDir}
	info, err := os.Stat(dstPath)
	var newDir string // a directory made for the copy, given the source's metadata
	switch {
	case err == nil && info.IsDir() && isDir:
		// Into the directory, or its content into it ("dir/."): a
		// directory is always extracted with itself as the root.
		ext.root, ext.to = dstPath, "."
		if !copiesContent(srcPath) && name != "." {
			ext.root = filepath.Join(dstPath, name)
			if err := makeDestDir(ext.root); err != nil {
				return err
			}
			newDir = ext.root
		}
	case err == nil && info.IsDir():
		ext.root, ext.to = dstPath, name
	case err == nil && isDir:
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "cannot copy a directory to a file: %s is a file", dstPath)
	case err == nil:
		ext.root, ext.to = filepath.Dir(dstPath), filepath.Base(dstPath)
	case errors.Is(err, fs.ErrNotExist):
		if !isDir && endsWithSep(dstPath) {
			return errdefs.Kindf(errdefs.ErrNotFound, "the destination directory %s must exist", dstPath)
		}
		parent := filepath.Dir(filepath.Clean(dstPath))
		if pi, err := os.Stat(parent); err != nil || !pi.IsDir() {
			return errdefs.Kindf(errdefs.ErrNotFound, "the destination's directory %s must exist", parent)
		}
		ext.root, ext.to = parent, filepath.Base(filepath.Clean(dstPath))
		if isDir {
			ext.root, ext.to = filepath.Clean(dstPath), "."
			if err := makeDestDir(ext.root); err != nil {
				return err
			}
			newDir = ext.root
		}
	default:
		return fmt.Errorf("copying to %s: %w", dstPath, err)
	}
	var topHdr tar.Header
	if newDir != "" {
		ext.top = &topHdr
	}
	n, err := ext.extract(ctx, rc)
	if err == nil && newDir != "" && topHdr.Typeflag == tar.TypeDir {
		err = dirMetadata(newDir, &topHdr, opts.archive)
	}
	if err != nil {
		return fmt.Errorf("copying %s:%s to %s: %w", ctr, srcPath, dstPath, err)
	}
	c.copied(opts, n, dstPath)
	return nil
}

// makeDestDir makes the directory a copied directory becomes; an existing
// directory is kept (its content merges), anything else is refused.
func makeDestDir(p string) error {
	err := os.Mkdir(p, 0o755)
	if errors.Is(err, fs.ErrExist) {
		if fi, serr := os.Lstat(p); serr == nil && fi.IsDir() {
			return nil
		}
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "cannot overwrite non-directory %s with a directory", p)
	}
	return err
}

// dirMetadata gives the directory made for a copy the copied directory's
// mode and times (and owner with -a, as root).
func dirMetadata(p string, h *tar.Header, keepOwner bool) error {
	if keepOwner && os.Geteuid() == 0 {
		if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
			return err
		}
	}
	if err := os.Chmod(p, os.FileMode(h.Mode&0o777)|modeBits(h.Mode)); err != nil {
		return err
	}
	return os.Chtimes(p, h.ModTime, h.ModTime)
}

// modeBits converts the setuid, setgid and sticky bits of a tar mode.
func modeBits(m int64) os.FileMode {
	var out os.FileMode
	if m&0o4000 != 0 {
		out |= os.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= os.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= os.ModeSticky
	}
	return out
}

func (c *cli) copyToContainer(ctx context.Context, cl *client.Client, srcPath, ctr, dstPath string, opts cpOptions) error {
	dstPath = containerPath(dstPath)
	putOpts := api.CopyToOptions{CopyUIDGID: opts.archive, NoOverwriteDirNonDir: true}
	// The destination, its symlinks followed inside the container.
	dst, err := cl.ContainerStatPath(ctx, ctr, dstPath)
	if err == nil && dst.Mode&os.ModeSymlink != 0 && dst.LinkTarget != "" {
		dstPath = dst.LinkTarget
		dst, err = cl.ContainerStatPath(ctx, ctr, dstPath)
	}
	exists := err == nil
	if err != nil && !errors.Is(err, errdefs.ErrNotFound) {
		return err
	}
	if srcPath == "-" {
		if !exists {
			return err
		}
		if !dst.Mode.IsDir() {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "the destination %s in container %s must be a directory to extract a tar into", dstPath, ctr)
		}
		return cl.CopyToContainer(ctx, ctr, dstPath, c.in, putOpts)
	}

	info, err := os.Lstat(srcPath)
	if err == nil && opts.followLink && info.Mode()&os.ModeSymlink != 0 {
		info, err = os.Stat(srcPath)
	}
	if err != nil {
		return errdefs.Kindf(errdefs.ErrNotFound, "reading the source: %w", err)
	}
	walk := hostTar{src: srcPath, followTop: opts.followLink}
	into := dstPath
	switch {
	case exists && dst.Mode.IsDir():
		walk.name = filepath.Base(filepath.Clean(srcPath))
		if info.IsDir() && copiesContent(srcPath) {
			walk.name = "."
		}
	case exists && info.IsDir():
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "cannot copy a directory to a file: %s in container %s is a file", dstPath, ctr)
	case exists:
		into, walk.name = path.Dir(dstPath), path.Base(dstPath)
	case endsWithSep(dstPath):
		return errdefs.Kindf(errdefs.ErrNotFound, "the destination directory %s must exist in container %s", dstPath, ctr)
	default:
		into, walk.name = path.Dir(path.Clean(dstPath)), path.Base(path.Clean(dstPath))
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var n int64
	go func() {
		var err error
		n, err = walk.write(ctx, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	err = cl.CopyToContainer(ctx, ctr, into, pr, putOpts)
	pr.CloseWithError(io.ErrClosedPipe)
	if werr := <-done; werr != nil && !errors.Is(werr, io.ErrClosedPipe) {
		return fmt.Errorf("reading %s: %w", srcPath, werr)
	}
	if err != nil {
		return err
	}
	c.copied(opts, n, ctr+":"+dstPath)
	return nil
}

// copied tells the size copied, to a terminal only (as Docker).
func (c *cli) copied(opts cpOptions, n int64, dst string) {
	if opts.quiet {
		return
	}
	if _, ok := terminal(c.err); ok {
		fmt.Fprintf(c.err, "Successfully copied %s to %s\n", humanSize(n), dst)
	}
}
