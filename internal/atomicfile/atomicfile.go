// Package atomicfile replaces a file so that a reader, or a crash at any
// moment (a power cut included), finds the old content or the new one,
// never a mix and never a truncated file.
//
// The content goes to a temporary file in the same directory (rename(2)
// is atomic only within one file system), which is synced before it is
// renamed over the target; the directory is synced after the rename, so
// that the new name itself survives a power cut. Temporary names start
// with TempPrefix, so a directory's owner can remove what a crash left
// behind (RemoveTemps) and skip such names when it lists the directory.
//
// On a file system held in memory (tmpfs, ramfs: the exec root /run in
// production) both syncs are skipped: nothing there survives a power cut,
// and the rename alone already protects against a crash of the writer.
// WriteVolatile skips them wherever the file is, for state that means
// nothing after a reboot (an OCI runtime's state.json, a pid file).
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TempPrefix starts the name of every temporary file this package makes.
const TempPrefix = ".tmp-"

// Write replaces path with data, created with mode perm (not subject to
// the umask).
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path with what fill writes, for content that is
// streamed rather than held in memory. When fill fails, path is left as
// it was and the temporary file is removed.
func WriteFunc(path string, perm os.FileMode, fill func(io.Writer) error) error {
	return write(path, perm, fill, true)
}

// WriteVolatile replaces path with data like Write, without the syncs: a
// crash of the writer leaves the old content or the new one, a power cut
// may leave an empty or truncated file. It is for state that describes
// processes, mounts and cgroups, all of which a reboot ends anyway: what
// it costs (two syncs, milliseconds on a disk) would buy nothing then.
// Its readers must take a file they cannot decode as left by a reboot.
func WriteVolatile(path string, data []byte, perm os.FileMode) error {
	return write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, false)
}

// write is WriteFunc; sync false skips the syncs wherever the file is.
func write(path string, perm os.FileMode, fill func(io.Writer) error, sync bool) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPrefix+base+"-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	durable := sync && !inMemory(f)
	err = f.Chmod(perm)
	if err == nil {
		err = fill(f)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if !durable {
		return nil
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("writing %s: syncing its directory: %w", path, err)
	}
	return nil
}

// syncDir makes the directory's entries (a rename into it) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// IsTemp reports whether name (a base name) is one of this package's
// temporary files.
func IsTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// RemoveTemps removes the temporary files that writes interrupted by a
// crash left in dir. Call it only while nothing writes into dir.
func RemoveTemps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("removing temporary files from %s: %w", dir, err)
	}
	for _, e := range ents {
		if !IsTemp(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing temporary files from %s: %w", dir, err)
		}
	}
	return nil
}
