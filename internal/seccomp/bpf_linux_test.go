package seccomp

import (
	"testing"

	"golang.org/x/sys/unix"
)

// seccompData is the input of a seccomp program (struct seccomp_data).
type seccompData struct {
	nr   int32
	arch uint32
	args [6]uint64
}

// word returns the 32-bit word of d at byte offset off, as BPF_LD|BPF_ABS
// reads it (little-endian host assumed for the 64-bit fields).
func (d seccompData) word(tb testing.TB, off uint32) uint32 {
	tb.Helper()
	switch {
	case off == 0:
		return uint32(d.nr)
	case off == 4:
		return d.arch
	case off == 8 || off == 12:
		return 0 // instruction_pointer
	case off >= 16 && off < 64 && off%4 == 0:
		a := d.args[(off-16)/8]
		if (off-16)%8 == 0 {
			return uint32(a)
		}
		return uint32(a >> 32)
	}
	tb.Fatalf("load from offset %d", off)
	return 0
}

// run interprets prog on d the way the kernel would and returns the
// program's return value. It implements the classic BPF subset that
// libseccomp and the ENOSYS stub emit, and fails the test on anything else.
func run(tb testing.TB, prog []unix.SockFilter, d seccompData) uint32 {
	tb.Helper()
	var a, x uint32
	var mem [16]uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		src := in.K
		if in.Code&unix.BPF_X != 0 && (in.Code&0x07 == unix.BPF_ALU || in.Code&0x07 == unix.BPF_JMP) {
			src = x
		}
		switch in.Code & 0x07 {
		case unix.BPF_LD:
			switch in.Code & 0xe0 {
			case unix.BPF_ABS:
				a = d.word(tb, in.K)
			case unix.BPF_IMM:
				a = in.K
			case unix.BPF_MEM:
				a = mem[in.K]
			default:
				tb.Fatalf("pc %d: unsupported load %#x", pc, in.Code)
			}
		case unix.BPF_LDX:
			switch in.Code & 0xe0 {
			case unix.BPF_IMM:
				x = in.K
			case unix.BPF_MEM:
				x = mem[in.K]
			default:
				tb.Fatalf("pc %d: unsupported ldx %#x", pc, in.Code)
			}
		case unix.BPF_ST:
			mem[in.K] = a
		case unix.BPF_STX:
			mem[in.K] = x
		case unix.BPF_ALU:
			switch in.Code & 0xf0 {
			case unix.BPF_ADD:
				a += src
			case unix.BPF_SUB:
				a -= src
			case unix.BPF_AND:
				a &= src
			case unix.BPF_OR:
				a |= src
			case unix.BPF_XOR:
				a ^= src
			case unix.BPF_LSH:
				a <<= src
			case unix.BPF_RSH:
				a >>= src
			default:
				tb.Fatalf("pc %d: unsupported alu %#x", pc, in.Code)
			}
		case unix.BPF_JMP:
			var cond bool
			switch in.Code & 0xf0 {
			case unix.BPF_JA:
				pc += int(in.K)
				continue
			case unix.BPF_JEQ:
				cond = a == src
			case unix.BPF_JGT:
				cond = a > src
			case unix.BPF_JGE:
				cond = a >= src
			case unix.BPF_JSET:
				cond = a&src != 0
			default:
				tb.Fatalf("pc %d: unsupported jump %#x", pc, in.Code)
			}
			if cond {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case unix.BPF_RET:
			if in.Code&0x18 == unix.BPF_A {
				return a
			}
			return in.K
		case unix.BPF_MISC:
			if in.Code&0xf8 == unix.BPF_TAX {
				x = a
			} else {
				a = x
			}
		}
	}
	tb.Fatal("program ran off its end")
	return 0
}

// Return values of a seccomp program.
const (
	retAllow       = unix.SECCOMP_RET_ALLOW
	retKillProcess = unix.SECCOMP_RET_KILL_PROCESS
	retKillThread  = unix.SECCOMP_RET_KILL_THREAD
	retEPERM       = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	retENOSYS      = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)
