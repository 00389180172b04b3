package cgroupv2

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The kernel unpacks an initramfs in the "newc" cpio format
// (Documentation/driver-api/early-userspace/buffer-format.rst): per entry
// a header of the magic "070701" and thirteen 8-digit hex fields, the
// NUL-terminated name padded to a multiple of 4 bytes, then the data
// padded the same way; a "TRAILER!!!" entry ends the archive. A directory
// must come before what it holds, which a lexical walk gives.

// node is a device node the archive holds without a file on the host: the
// kernel opens /dev/console for init's stdin, stdout and stderr before
// init runs, so it must exist in the archive itself.
type node struct {
	name         string
	mode         uint32 // type and permission bits (S_IFCHR|0600)
	major, minor uint32
}

// console is /dev/console, character device 5:1.
var console = node{name: "dev/console", mode: 0o020000 | 0o600, major: 5, minor: 1}

// cpioWriter writes newc entries with owner root and mtime 0, so that the
// same tree always gives the same archive.
type cpioWriter struct {
	w   io.Writer
	ino uint32
	err error
}

// header writes an entry's header and name.
func (c *cpioWriter) header(name string, mode uint32, size int64, nlink, rmajor, rminor uint32) {
	if c.err != nil {
		return
	}
	c.ino++
	h := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		c.ino, mode, 0, 0, nlink, 0, size, 0, 0, rmajor, rminor, len(name)+1, 0)
	c.write([]byte(h + name + "\x00"))
	c.pad(len(h) + len(name) + 1)
}

func (c *cpioWriter) write(b []byte) {
	if c.err == nil {
		_, c.err = c.w.Write(b)
	}
}

// pad writes the zeros that bring n written bytes to a multiple of 4.
func (c *cpioWriter) pad(n int) {
	if r := n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}

// tree writes every entry under dir (dir itself excluded), named by its
// path relative to dir.
func (c *cpioWriter) tree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		name, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return c.entry(p, name)
	})
}

// entry writes the file, directory or symlink at p as name.
func (c *cpioWriter) entry(p, name string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	perm := uint32(fi.Mode().Perm())
	if fi.Mode()&fs.ModeSticky != 0 {
		perm |= 0o1000
	}
	switch {
	case fi.IsDir():
		c.header(name, 0o040000|perm, 0, 2, 0, 0)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		c.header(name, 0o120000|0o777, int64(len(target)), 1, 0, 0)
		c.write([]byte(target))
		c.pad(len(target))
	case fi.Mode().IsRegular():
		c.header(name, 0o100000|perm, fi.Size(), 1, 0, 0)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if c.err == nil {
			var n int64
			n, c.err = io.Copy(c.w, f)
			if c.err == nil && n != fi.Size() {
				c.err = fmt.Errorf("%s changed size while archived", p)
			}
		}
		c.pad(int(fi.Size()))
	default:
		return fmt.Errorf("archiving %s: %v files are not supported", p, fi.Mode().Type())
	}
	return c.err
}

// node writes a device node.
func (c *cpioWriter) node(n node) error {
	c.header(n.name, n.mode, 0, 1, n.major, n.minor)
	return c.err
}

// close writes the trailer.
func (c *cpioWriter) close() error {
	c.header("TRAILER!!!", 0, 0, 1, 0, 0)
	return c.err
}
