package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"unsafe"

	"github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// maxInsns is the kernel's limit on one classic BPF program (BPF_MAXINSNS).
const maxInsns = 4096

// Filter is a compiled seccomp filter: the BPF program (the ENOSYS stub,
// then libseccomp's program) and the seccomp(2) flags to load it with. It
// holds no libseccomp state, so it can be kept and loaded any number of
// times, in this process or, through MarshalBinary, in another.
type Filter struct {
	prog  []unix.SockFilter
	flags uint
}

// Compile turns cfg into a Filter without loading it. Compiling Docker's
// default profile costs about 18 ms of CPU with libseccomp 2.5.4, three
// quarters of it in libseccomp's code generation (BenchmarkCompileDefault
// and its parts); loading a compiled Filter costs one syscall. A caller that
// starts many containers compiles once per distinct profile and hands the
// Filter (MarshalBinary) to each init process.
func Compile(cfg *specs.LinuxSeccomp) (*Filter, error) {
	if cfg == nil {
		return nil, invalid("seccomp", "no configuration")
	}
	flags, err := loadFlags(cfg.Flags)
	if err != nil {
		return nil, err
	}
	sf, arches, err := build(cfg)
	if err != nil {
		return nil, err
	}
	defer sf.Release()
	prog, err := exportBPF(sf)
	if err != nil {
		return nil, err
	}
	if needsStub(cfg) {
		stub, err := enosysStub(enosysBounds(cfg, arches))
		if err != nil {
			return nil, err
		}
		prog = append(stub, prog...)
	}
	if len(prog) > maxInsns {
		return nil, invalid("syscalls", "the filter has %d instructions, more than the kernel's %d", len(prog), maxInsns)
	}
	return &Filter{prog: prog, flags: flags}, nil
}

// Load compiles cfg into a BPF filter and installs it on the calling
// process: Compile, then Filter.Load. A nil cfg means no seccomp and does
// nothing.
//
// Preconditions: as for Filter.Load.
func Load(cfg *specs.LinuxSeccomp) error {
	if cfg == nil {
		return nil
	}
	f, err := Compile(cfg)
	if err != nil {
		return err
	}
	return f.Load()
}

// Load installs f with seccomp(SECCOMP_SET_MODE_FILTER) and TSYNC, so every
// thread of the process gets it (and the calling thread's no_new_privs).
// Filters stack: a loaded filter cannot be removed, only added to.
//
// Preconditions: the calling thread has set PR_SET_NO_NEW_PRIVS or holds
// CAP_SYS_ADMIN. Both are per thread, so the caller holds
// runtime.LockOSThread across setting no_new_privs and Load.
func (f *Filter) Load() error {
	if f == nil || len(f.prog) == 0 {
		return invalid("filter", "empty filter")
	}
	fprog := unix.SockFprog{Len: uint16(len(f.prog)), Filter: &f.prog[0]}
	r, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(f.flags), uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(f.prog)
	what := fmt.Sprintf("seccomp(SECCOMP_SET_MODE_FILTER, %s, %d instructions)", flagNames(f.flags), len(f.prog))
	switch {
	case errno == unix.EACCES:
		return fmt.Errorf("%s: %w (set no_new_privs on this thread first, or hold CAP_SYS_ADMIN)", what, errno)
	case errno != 0:
		return fmt.Errorf("%s: %w", what, errno)
	case r != 0:
		// With TSYNC, a positive result is the id of a thread that could
		// not take the filter (it has a filter of its own).
		return fmt.Errorf("%s: thread %d cannot be synchronized: %w", what, r, errdefs.ErrConflict)
	}
	return nil
}

// Len is the number of BPF instructions in f.
func (f *Filter) Len() int {
	return len(f.prog)
}

// MarshalBinary encodes f for another process on this machine: the flags
// as a 32-bit word, then the instructions as struct sock_filter, all in
// host byte order (BPF programs are in host byte order).
func (f *Filter) MarshalBinary() ([]byte, error) {
	b := make([]byte, 4, 4+8*len(f.prog))
	binary.NativeEndian.PutUint32(b, uint32(f.flags))
	for _, in := range f.prog {
		b = binary.NativeEndian.AppendUint16(b, in.Code)
		b = append(b, in.Jt, in.Jf)
		b = binary.NativeEndian.AppendUint32(b, in.K)
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded.
func (f *Filter) UnmarshalBinary(b []byte) error {
	if len(b) < 4+8 || (len(b)-4)%8 != 0 || (len(b)-4)/8 > maxInsns {
		return invalid("filter", "%d bytes is not an encoded filter", len(b))
	}
	f.flags = uint(binary.NativeEndian.Uint32(b))
	f.prog = make([]unix.SockFilter, 0, (len(b)-4)/8)
	for p := b[4:]; len(p) > 0; p = p[8:] {
		f.prog = append(f.prog, unix.SockFilter{
			Code: binary.NativeEndian.Uint16(p),
			Jt:   p[2],
			Jf:   p[3],
			K:    binary.NativeEndian.Uint32(p[4:]),
		})
	}
	return nil
}

// exportBPF returns libseccomp's program for sf. libseccomp 2.6 exports to
// memory; 2.5 only to a file descriptor, so the fallback goes through a
// memfd.
func exportBPF(sf *libseccomp.ScmpFilter) ([]unix.SockFilter, error) {
	raw, err := sf.ExportBPFMem()
	if errors.Is(err, syscall.EOPNOTSUPP) {
		raw, err = exportBPFFile(sf)
	}
	if err != nil {
		return nil, fmt.Errorf("seccomp: exporting BPF: %w", err)
	}
	if len(raw)%8 != 0 || len(raw) == 0 {
		return nil, fmt.Errorf("seccomp: libseccomp exported %d bytes, not whole instructions", len(raw))
	}
	prog := make([]unix.SockFilter, 0, len(raw)/8)
	for p := raw; len(p) > 0; p = p[8:] {
		prog = append(prog, unix.SockFilter{
			Code: binary.NativeEndian.Uint16(p),
			Jt:   p[2],
			Jf:   p[3],
			K:    binary.NativeEndian.Uint32(p[4:]),
		})
	}
	return prog, nil
}

func exportBPFFile(sf *libseccomp.ScmpFilter) ([]byte, error) {
	fd, err := unix.MemfdCreate("seccomp-bpf", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "seccomp-bpf")
	defer f.Close()
	if err := sf.ExportBPF(f); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// flagNames renders seccomp(2) filter flags for error messages.
func flagNames(flags uint) string {
	var names []string
	for _, f := range []struct {
		bit  uint
		name string
	}{
		{unix.SECCOMP_FILTER_FLAG_TSYNC, "TSYNC"},
		{unix.SECCOMP_FILTER_FLAG_LOG, "LOG"},
		{unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SPEC_ALLOW"},
	} {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, "|")
}
