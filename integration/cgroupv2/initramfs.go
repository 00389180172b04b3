package cgroupv2

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
)

// CacheDir keeps the built archives, named by the hash of their content,
// so that a rerun with the same binaries boots without rebuilding.
const CacheDir = "/var/cache/container-runtime-test/cgroupv2"

// Paths inside the guest.
const (
	GuestOCI    = "/usr/bin/container-runtime-oci"
	GuestTest   = "/cgroupv2-guest.test"
	GuestRootfs = "/rootfs" // the containers' busybox root
)

// ExitMarker starts the line the guest's init prints last, followed by
// the test binary's exit code (or the failed setup step's).
const ExitMarker = "CGROUPV2-GUEST-EXIT"

//go:embed init.sh
var initScript []byte

// Guest names the host files the guest runs.
type Guest struct {
	OCI  string // container-runtime-oci, linked against libseccomp
	Test string // the guest test binary (go test -c of package guest)
}

// Stage fills the empty directory dir with the guest's root: busybox and
// its applets, init, the binaries with the shared libraries ldd lists
// for them, and a busybox rootfs at GuestRootfs.
func Stage(dir string, g Guest) error {
	if err := busyboxfs.Create(dir); err != nil {
		return fmt.Errorf("staging the guest's busybox: %w", err)
	}
	if err := busyboxfs.Create(filepath.Join(dir, GuestRootfs)); err != nil {
		return fmt.Errorf("staging the containers' busybox rootfs: %w", err)
	}
	// /newroot: where init copies the root before switch_root (init.sh).
	for _, d := range []string{"run", "newroot"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "init"), initScript, 0o755); err != nil {
		return err
	}
	if err := copyFile(g.Test, filepath.Join(dir, GuestTest)); err != nil {
		return err
	}
	return copyWithLibs(g.OCI, dir, GuestOCI)
}

// copyWithLibs copies the program bin to dst under root, and the shared
// libraries it needs (the dynamic loader included) to their own paths.
func copyWithLibs(bin, root, dst string) error {
	if err := copyFile(bin, filepath.Join(root, dst)); err != nil {
		return err
	}
	out, err := exec.Command("ldd", bin).CombinedOutput()
	if err != nil {
		if bytes.Contains(out, []byte("not a dynamic executable")) {
			return nil
		}
		return fmt.Errorf("ldd %s: %w: %s", bin, err, out)
	}
	// Lines are "libx.so.1 => /lib/.../libx.so.1 (0x...)", or
	// "/lib64/ld-linux-x86-64.so.2 (0x...)" for the loader, or the vdso
	// with no path.
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		lib := ""
		switch {
		case len(f) >= 3 && f[1] == "=>":
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib = f[0]
		}
		if !strings.HasPrefix(lib, "/") {
			continue
		}
		if err := copyFile(lib, filepath.Join(root, lib)); err != nil {
			return fmt.Errorf("copying %s's library: %w", bin, err)
		}
	}
	return sc.Err()
}

// copyFile copies the content of src (through symlinks) to dst, mode 0755.
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return out.Close()
}

// Archive returns the path of a gzip'd newc archive of dir (with
// /dev/console added) in cacheDir, and whether it was there already.
// The name is the hash of the content, so an archive is reused only for
// the same files; older archives are removed.
func Archive(dir, cacheDir string) (path string, cached bool, err error) {
	sum, err := treeHash(dir)
	if err != nil {
		return "", false, fmt.Errorf("hashing the guest's tree %s: %w", dir, err)
	}
	path = filepath.Join(cacheDir, "initramfs-"+sum[:32]+".cpio.gz")
	if _, err := os.Stat(path); err == nil {
		return path, true, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", false, err
	}
	tmp, err := os.CreateTemp(cacheDir, ".initramfs-*")
	if err != nil {
		return "", false, err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := writeArchive(tmp, dir); err != nil {
		tmp.Close()
		return "", false, fmt.Errorf("writing the initramfs of %s: %w", dir, err)
	}
	if err := tmp.Close(); err != nil {
		return "", false, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", false, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", false, err
	}
	old, _ := filepath.Glob(filepath.Join(cacheDir, "initramfs-*.cpio.gz"))
	for _, o := range old {
		if o != path {
			os.Remove(o)
		}
	}
	return path, false, nil
}

func writeArchive(w io.Writer, dir string) error {
	// The kernel inflates the archive under emulation too: BestSpeed
	// costs a little size, not boot time.
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	c := &cpioWriter{w: zw}
	if err := c.tree(dir); err != nil {
		return err
	}
	if err := c.node(console); err != nil {
		return err
	}
	if err := c.close(); err != nil {
		return err
	}
	return zw.Close()
}

// treeHash hashes what the archive of dir holds: each entry's name, type,
// permissions and content (a symlink's target).
func treeHash(dir string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "newc-gzip v1 %+v\n", console)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		name, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%q %v %d ", name, fi.Mode(), fi.Size())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%q", target)
		case fi.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := io.Copy(h, f); err != nil {
				return err
			}
		}
		h.Write([]byte("\n"))
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}
