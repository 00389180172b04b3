package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/selfexe"
)

// sealedExe is the handle of our own binary from which every container
// process is started. A container that reaches one of our processes
// through /proc/PID/exe (CVE-2019-5736: an image whose entrypoint is
// /proc/self/exe, or a process racing an exec) must never find a writable
// path to the binary on the host's disk.
//
// The handle is a detached read-only bind mount of the binary
// (selfexe.ReadOnly). It costs two syscalls, where copying the binary
// into a sealed memfd (runc 1.1's way, and our fallback when the new
// mount API is missing) costs a copy of the whole binary per container
// start.
//
// The handle is made once per Runtime and reused: the daemon starts many
// containers from one.
type sealedExe struct {
	once sync.Once
	f    *os.File
	err  error
}

func (s *sealedExe) get() (*os.File, error) {
	s.once.Do(func() { s.f, s.err = seal("") })
	return s.f, s.err
}

// UseStageBinary makes the binary at path the one every container process
// of r is started from, instead of our own: the daemon's
// container-runtime-init, a small binary holding only this package, whose
// Go runtime and package inits cost each init and exec stage about a third
// of what the daemon's binary costs. It is sealed now, as our own would be;
// a file that is not regular, or that anyone but root could write, is
// refused, and r keeps our own binary. Call it before the first container.
func (r *Runtime) UseStageBinary(path string) error {
	f, err := seal(path)
	if err != nil {
		return fmt.Errorf("the stage binary: %w", err)
	}
	used := false
	r.exe.once.Do(func() { r.exe.f, used = f, true })
	if !used {
		f.Close()
		return fmt.Errorf("the stage binary %s: containers were started from another one already", path)
	}
	return nil
}

// StageBinaryName is the stage binary (cmd/container-runtime-init) that
// install puts next to the daemon and container-runtime-oci.
const StageBinaryName = "container-runtime-init"

// UseInstalledStageBinary is UseStageBinary with StageBinaryName next to
// our own binary. It returns the path it took, "" (and no error) when
// there is none, or why the one there was refused (r keeps our own
// binary then).
func (r *Runtime) UseInstalledStageBinary() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	path := filepath.Join(filepath.Dir(self), StageBinaryName)
	if _, err := os.Stat(path); err != nil {
		return "", nil
	}
	if err := r.UseStageBinary(path); err != nil {
		return "", err
	}
	return path, nil
}

// seal returns the read-only handle of the binary at path, or of our own
// when path is "".
func seal(path string) (*os.File, error) {
	if path == "" {
		if f := selfexe.ReadOnly(); f != nil {
			return f, nil
		}
		return sealCopy("/proc/self/exe", false)
	}
	f, err := selfexe.ReadOnlyFile(path)
	if f == nil && err == nil {
		f, err = sealCopy(path, true)
	}
	return f, err
}

// sealCopy copies the binary at path into a memfd and seals it against
// writes; with check, only a file selfexe.CheckTrusted accepts.
func sealCopy(path string, check bool) (*os.File, error) {
	src, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening our own binary: %w", err)
	}
	defer src.Close()
	if check {
		if err := selfexe.CheckTrusted(src, path); err != nil {
			return nil, err
		}
	}
	fd, err := unix.MemfdCreate("container-runtime", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if err == unix.EINVAL {
		// Kernels before 6.3 do not know MFD_EXEC; their memfds are executable.
		fd, err = unix.MemfdCreate("container-runtime", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return nil, fmt.Errorf("memfd_create for the sealed binary: %w", err)
	}
	f := os.NewFile(uintptr(fd), "container-runtime (sealed)")
	if err := copyInto(f, src); err != nil {
		f.Close()
		return nil, fmt.Errorf("copying our binary into a memfd: %w", err)
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("sealing the memfd copy of our binary: %w", err)
	}
	return f, nil
}

// copyInto copies src into the empty dst with sendfile(2), which moves the
// page-cache pages without a trip through user space; io.Copy would fall
// back to 32 KiB reads here because copy_file_range does not cross into a
// memfd.
func copyInto(dst, src *os.File) error {
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	for left := fi.Size(); left > 0; {
		n, err := unix.Sendfile(int(dst.Fd()), int(src.Fd()), nil, int(min(left, 1<<30)))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		left -= int64(n)
	}
	return nil
}
