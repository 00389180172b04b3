package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// maxHashCache bounds the file hashes a Builder remembers; past it the
// memory is dropped and files are read again.
const maxHashCache = 200_000

// fileStatKey identifies a version of a file by its path and stat data: a
// file whose key is unchanged is taken to have the same content. The
// change time (which no user call can set back) and the nanosecond
// modification time catch rewrites that keep the size.
type fileStatKey struct {
	path         string
	dev, ino     uint64
	size         int64
	mtime, ctime int64
	mode         uint32
	uid, gid     uint32
}

// statKey returns the key of the file at host path with info fi.
func statKey(host string, fi fs.FileInfo) (fileStatKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStatKey{}, false
	}
	return fileStatKey{
		path:  host,
		dev:   st.Dev,
		ino:   st.Ino,
		size:  st.Size,
		mtime: st.Mtim.Nano(),
		ctime: st.Ctim.Nano(),
		mode:  st.Mode,
		uid:   st.Uid,
		gid:   st.Gid,
	}, true
}

// get returns a remembered hash.
func (c *hashCache) get(k fileStatKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[k]
	return h, ok
}

// put remembers a hash.
func (c *hashCache) put(k fileStatKey, h string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxHashCache {
		c.m = map[fileStatKey]string{}
	}
	c.m[k] = h
}

// fileHash returns the hash of a COPY/ADD source: its type, permission
// bits, owner and content (a symlink's target, a device's number).
func (b *Builder) fileHash(host string, fi fs.FileInfo) (string, error) {
	k, ok := statKey(host, fi)
	if ok {
		if h, hit := b.hashes.get(k); hit {
			return h, nil
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%o %d %d\x00", k.mode, k.uid, k.gid)
	switch {
	case fi.Mode().IsRegular():
		f, err := os.Open(host)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", host, err)
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", host, err)
		}
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(host)
		if err != nil {
			return "", fmt.Errorf("reading symlink %s: %w", host, err)
		}
		io.WriteString(h, target)
	case fi.Mode()&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			fmt.Fprintf(h, "%d", st.Rdev)
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if ok {
		b.hashes.put(k, sum)
	}
	return sum, nil
}
