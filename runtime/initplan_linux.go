package runtime

import (
	"encoding/binary"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/capabilities"
)

// initPlan writes what the minimal init (CreateOptions.Init) confines
// itself with into a sealed memfd, in the format nsenter.c documents: the
// container process's capability bounding set as a 64-bit mask, then its
// compiled seccomp program (seccomp.Filter's binary form) if it has one.
// The init applies both, becomes non-dumpable and only then lets the
// container process go on: PID 1 must never be a way around the
// container's own limits (ptrace of an unfiltered, dumpable PID 1 ran any
// system call the profile refused).
func initPlan(p *specs.Process, filter []byte) (*os.File, error) {
	mask, err := boundingMask(p.Capabilities)
	if err != nil {
		return nil, err
	}
	b := binary.NativeEndian.AppendUint64(nil, mask)
	b = append(b, filter...)
	f, err := sealedFile("container-runtime-init-plan", b)
	if err != nil {
		return nil, fmt.Errorf("the init's plan: %w", err)
	}
	return f, nil
}

// sealedFile returns a memfd holding b, sealed so that nothing that
// shares the descriptor can change it.
func sealedFile(name string, b []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the memfd: %w", err)
	}
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE); err != nil {
		f.Close()
		return nil, fmt.Errorf("sealing the memfd: %w", err)
	}
	return f, nil
}

// boundingMask is the bounding set the container process ends up with:
// c.Bounding, or every capability when the spec sets none (the process
// stage then leaves the bounding set alone).
func boundingMask(c *specs.LinuxCapabilities) (uint64, error) {
	if c == nil {
		return ^uint64(0), nil
	}
	sets, err := capabilities.Masks(c)
	if err != nil {
		return 0, fmt.Errorf("process.capabilities: %w", err)
	}
	return sets.Bounding, nil
}
