package builder

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
)

// maxHashCache bounds the file hashes a Builder remembers between builds;
// past it the memory is dropped and files are read again. An entry is 48
// bytes (a 16-byte key and a 32-byte hash), about 64 with the map's own,
// so a full cache holds about 4 MiB for as long as the daemon runs. A
// context with more files than this is read again at every build: reading
// a small file costs little more than the lstat the walk does anyway, and
// an idle daemon should not keep tens of MiB for the biggest context it
// ever saw.
const maxHashCache = 1 << 16

// fileSum is the hash of one COPY/ADD source file.
type fileSum [sha256.Size]byte

// fileStatKey identifies a version of a file by its stat data: a file
// whose key is unchanged is taken to have the same content. The device and
// inode name the file, the change time (which no user call can set back)
// and the nanosecond modification time catch rewrites that keep the size,
// and the mode and owner are part of the file's hash. It is a truncated
// SHA-256 of those fields, so that an entry stays small.
type fileStatKey [16]byte

// hashCache remembers the hash of files by stat data across the builds of
// one Builder.
type hashCache struct {
	mu sync.Mutex
	m  map[fileStatKey]fileSum
}

// statKey returns the key of a file with info fi.
func statKey(fi fs.FileInfo) (fileStatKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStatKey{}, false
	}
	var b [64]byte
	fields := []uint64{st.Dev, st.Ino, uint64(st.Size), uint64(st.Mtim.Nano()), uint64(st.Ctim.Nano()),
		uint64(st.Mode), uint64(st.Uid)<<32 | uint64(st.Gid)}
	for i, v := range fields {
		binary.LittleEndian.PutUint64(b[i*8:], v)
	}
	sum := sha256.Sum256(b[:len(fields)*8])
	return fileStatKey(sum[:16]), true
}

// get returns a remembered hash.
func (c *hashCache) get(k fileStatKey) (fileSum, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[k]
	return h, ok
}

// put remembers a hash.
func (c *hashCache) put(k fileStatKey, h fileSum) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxHashCache {
		c.m = map[fileStatKey]fileSum{}
	}
	c.m[k] = h
}

// fileHash returns the hash of a COPY/ADD source at host path with info
// fi: its type, permission bits, owner and content (a symlink's target, a
// device's number). A regular file is streamed through the hash, so its
// size does not matter.
func (b *Builder) fileHash(host string, fi fs.FileInfo) (fileSum, error) {
	k, ok := statKey(fi)
	if ok {
		if h, hit := b.hashes.get(k); hit {
			return h, nil
		}
	}
	h := sha256.New()
	var mode, uid, gid uint32
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		mode, uid, gid = st.Mode, st.Uid, st.Gid
	}
	fmt.Fprintf(h, "%o %d %d\x00", mode, uid, gid)
	switch {
	case fi.Mode().IsRegular():
		f, err := os.Open(host)
		if err != nil {
			return fileSum{}, fmt.Errorf("reading %s: %w", host, err)
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return fileSum{}, fmt.Errorf("reading %s: %w", host, err)
		}
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(host)
		if err != nil {
			return fileSum{}, fmt.Errorf("reading symlink %s: %w", host, err)
		}
		io.WriteString(h, target)
	case fi.Mode()&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			fmt.Fprintf(h, "%d", st.Rdev)
		}
	}
	var sum fileSum
	h.Sum(sum[:0])
	if ok {
		b.hashes.put(k, sum)
	}
	return sum, nil
}
