package seccomp

import (
	"fmt"
	"slices"

	"github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// Why a stub: a filter whose default action is ERRNO(EPERM) answers EPERM
// to every syscall it does not name, including syscalls added to the kernel
// after the profile (or the libseccomp that compiled it) was written. Libc
// and language runtimes probe new syscalls and fall back to old ones only
// on ENOSYS ("not implemented"); EPERM makes them fail instead (glibc's
// clone3 and faccessat2 are the known cases). So, like runc, the program
// loaded is a stub followed by libseccomp's program:
//
//	ld  [4]                          ; seccomp_data.arch
//	jeq AUDIT_ARCH_<a>, arch_a       ; one per architecture in the filter
//	ja  filter                       ; any other: libseccomp decides
//	arch_a:
//	ld  [0]                          ; seccomp_data.nr
//	jgt <last>, next, filter         ; known to libseccomp: it decides
//	jge <limit>, filter, enosys      ; only if the profile names a syscall above <last>
//	...
//	enosys: ret ERRNO(ENOSYS)
//	filter: <libseccomp's program>
//
// <last> is the largest syscall number the linked libseccomp knows on the
// architecture, in the window of 1024 numbers from its read(2) (new
// syscalls get the next numbers, so everything above is newer than
// libseccomp). runc uses the largest number the profile names instead; the
// difference shows with short allow-lists, where runc answers ENOSYS to
// well-known syscalls the profile leaves to its default action. <limit> is
// the smallest number above <last> that the profile names there (ARM's
// private syscalls at 0xf0000 and up, such as cacheflush): from there on
// libseccomp's program decides again.
//
// On x86_64 an x32 syscall is an x86_64 one with bit 30 set, so that
// architecture gets two checks, chosen by the bit. On s390(x) syscall 0 is
// where the kernel leaves numbers too large for its multiplexer, so it gets
// ENOSYS too.

// x32SyscallBit marks x32 syscall numbers on AUDIT_ARCH_X86_64.
const x32SyscallBit = 0x40000000

// Offsets in struct seccomp_data.
const (
	offsetNr   = 0
	offsetArch = 4
)

// needsStub reports whether cfg's default action would hide new syscalls
// behind something other than ENOSYS.
func needsStub(cfg *specs.LinuxSeccomp) bool {
	if isPermissive(cfg.DefaultAction) {
		return false
	}
	if cfg.DefaultAction == specs.ActErrno && cfg.DefaultErrnoRet != nil && *cfg.DefaultErrnoRet == uint(unix.ENOSYS) {
		return false
	}
	return true
}

// window is how far above read(2) the search for libseccomp's last
// syscall starts.
const window = 1024

// bounds is the range of syscall numbers that get ENOSYS on one
// architecture: above last and, when limit is not 0, below limit.
type bounds struct {
	last, limit uint32
}

// enosysBounds returns the ENOSYS range of each architecture in the filter
// (see the comment at the top of the file).
func enosysBounds(cfg *specs.LinuxSeccomp, arches []libseccomp.ScmpArch) map[libseccomp.ScmpArch]bounds {
	out := map[libseccomp.ScmpArch]bounds{}
	for _, a := range arches {
		base, err := libseccomp.GetSyscallFromNameByArch("read", a)
		if err != nil || base < 0 {
			continue
		}
		var b bounds
		found := false
		for nr := int(base) + window; nr >= int(base); nr-- {
			if _, err := libseccomp.ScmpSyscall(nr).GetNameByArch(a); err == nil {
				b.last, found = uint32(nr), true
				break
			}
		}
		if !found {
			continue
		}
		for _, rule := range cfg.Syscalls {
			for _, name := range rule.Names {
				nr, err := libseccomp.GetSyscallFromNameByArch(name, a)
				// Negative numbers are libseccomp's pseudo-syscalls: the
				// name exists on another architecture, not on this one.
				if err != nil || nr < 0 || uint32(nr) <= b.last {
					continue
				}
				if b.limit == 0 || uint32(nr) < b.limit {
					b.limit = uint32(nr)
				}
			}
		}
		out[a] = b
	}
	return out
}

// enosysStub assembles the stub described above; it is empty when no
// architecture has a range.
func enosysStub(ranges map[libseccomp.ScmpArch]bounds) ([]unix.SockFilter, error) {
	// Group by the kernel's architecture value (x86_64 and x32 share one),
	// in a fixed order so that the program is reproducible.
	groups := map[uint32][]libseccomp.ScmpArch{}
	for a := range ranges {
		if aa := auditArch(a); aa != 0 {
			groups[aa] = append(groups[aa], a)
		}
	}
	if len(groups) == 0 {
		return nil, nil
	}
	order := make([]uint32, 0, len(groups))
	for aa := range groups {
		order = append(order, aa)
	}
	slices.Sort(order)

	var p program
	p.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offsetArch)
	for _, aa := range order {
		p.jump(unix.BPF_JEQ, aa, archLabel(aa), "")
	}
	p.jumpAlways("filter")
	for _, aa := range order {
		p.label(archLabel(aa))
		p.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, offsetNr)
		g := groups[aa]
		if slices.Contains(g, libseccomp.ArchS390) || slices.Contains(g, libseccomp.ArchS390X) {
			p.jump(unix.BPF_JEQ, 0, "enosys", "")
		}
		amd64, hasAMD64 := ranges[libseccomp.ArchAMD64]
		x32, hasX32 := ranges[libseccomp.ArchX32]
		switch {
		case aa != unix.AUDIT_ARCH_X86_64:
			p.check(ranges[g[0]])
		case hasAMD64 && hasX32:
			x32Label := archLabel(aa) + "/x32"
			p.jump(unix.BPF_JSET, x32SyscallBit, x32Label, "")
			p.check(amd64)
			p.label(x32Label)
			p.check(x32)
		case hasAMD64:
			p.jump(unix.BPF_JSET, x32SyscallBit, "filter", "")
			p.check(amd64)
		default:
			p.jump(unix.BPF_JSET, x32SyscallBit, "", "filter")
			p.check(x32)
		}
	}
	p.label("enosys")
	p.stmt(unix.BPF_RET|unix.BPF_K, unix.SECCOMP_RET_ERRNO|uint32(unix.ENOSYS))
	p.label("filter") // The first instruction after the stub.
	return p.assemble()
}

// check jumps to "enosys" when the syscall number in the accumulator is in
// b, and to "filter" otherwise.
func (p *program) check(b bounds) {
	if b.limit == 0 {
		p.jump(unix.BPF_JGT, b.last, "enosys", "filter")
		return
	}
	p.jump(unix.BPF_JGT, b.last, "", "filter")
	p.jump(unix.BPF_JGE, b.limit, "filter", "enosys")
}

func archLabel(aa uint32) string {
	return fmt.Sprintf("arch %#x", aa)
}

// program is a tiny classic-BPF assembler with forward labels: enough for
// the stub, whose jumps all fit in the 8-bit offsets of conditional jumps.
type program struct {
	insns  []unix.SockFilter
	labels map[string]int
	fixups []fixup
}

// fixup records a jump whose targets are labels; "" means the next
// instruction.
type fixup struct {
	at       int
	jt, jf   string
	absolute bool // BPF_JA: the target goes in k
}

func (p *program) stmt(code uint16, k uint32) {
	p.insns = append(p.insns, unix.SockFilter{Code: code, K: k})
}

// jump adds a conditional jump on the accumulator against k.
func (p *program) jump(op uint16, k uint32, jt, jf string) {
	p.fixups = append(p.fixups, fixup{at: len(p.insns), jt: jt, jf: jf})
	p.stmt(unix.BPF_JMP|op|unix.BPF_K, k)
}

func (p *program) jumpAlways(to string) {
	p.fixups = append(p.fixups, fixup{at: len(p.insns), jt: to, absolute: true})
	p.stmt(unix.BPF_JMP|unix.BPF_JA, 0)
}

func (p *program) label(name string) {
	if p.labels == nil {
		p.labels = map[string]int{}
	}
	p.labels[name] = len(p.insns)
}

// assemble resolves the labels into offsets.
func (p *program) assemble() ([]unix.SockFilter, error) {
	offset := func(from int, label string) (uint32, error) {
		if label == "" {
			return 0, nil
		}
		to, ok := p.labels[label]
		if !ok {
			return 0, fmt.Errorf("seccomp stub: no label %q", label)
		}
		if to <= from {
			return 0, fmt.Errorf("seccomp stub: backward jump to %q", label)
		}
		return uint32(to - from - 1), nil
	}
	for _, f := range p.fixups {
		jt, err := offset(f.at, f.jt)
		if err != nil {
			return nil, err
		}
		if f.absolute {
			p.insns[f.at].K = jt
			continue
		}
		jf, err := offset(f.at, f.jf)
		if err != nil {
			return nil, err
		}
		if jt > 255 || jf > 255 {
			return nil, fmt.Errorf("seccomp stub: jump too long at instruction %d", f.at)
		}
		p.insns[f.at].Jt, p.insns[f.at].Jf = uint8(jt), uint8(jf)
	}
	return p.insns, nil
}
