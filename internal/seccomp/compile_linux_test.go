package seccomp

import (
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// dockerDefaultCaps returns Docker's default capability set (the
// capabilities package owns the list; it is repeated here to keep the
// packages apart).
func dockerDefaultCaps() []string {
	return []string{
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
		"CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	}
}

// dockerDefault returns Docker's default profile for a process with
// Docker's default capabilities.
func dockerDefault(tb testing.TB) *specs.LinuxSeccomp {
	tb.Helper()
	cfg, err := Default(&specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: dockerDefaultCaps()}}})
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

func compile(tb testing.TB, cfg *specs.LinuxSeccomp) *Filter {
	tb.Helper()
	f, err := Compile(cfg)
	if err != nil {
		tb.Fatalf("Compile: %v", err)
	}
	return f
}

// Syscall numbers on i386 and x32 used below.
const (
	i386Read   = 3
	i386Keyctl = 288
	x32Read    = x32SyscallBit | unix.SYS_READ

	armWrite        = 4
	armCacheflushNr = 0xf0002
)

// TestCompileSemantics runs compiled filters in a BPF interpreter: what the
// kernel would answer, without loading anything.
func TestCompileSemantics(t *testing.T) {
	x86 := uint32(unix.AUDIT_ARCH_X86_64)
	i386 := uint32(unix.AUDIT_ARCH_I386)
	docker := compile(t, dockerDefault(t))
	allow := func(rules ...specs.LinuxSyscall) *Filter {
		return compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: rules})
	}
	write := func(action specs.LinuxSeccompAction, args ...specs.LinuxSeccompArg) specs.LinuxSyscall {
		return specs.LinuxSyscall{Names: []string{"write"}, Action: action, Args: args}
	}
	eperm := func(args ...specs.LinuxSeccompArg) *Filter { return allow(write(specs.ActErrno, args...)) }
	arg := func(i uint, op specs.LinuxSeccompOperator, v uint64) specs.LinuxSeccompArg {
		return specs.LinuxSeccompArg{Index: i, Op: op, Value: v}
	}

	// On ARM, libseccomp knows the private syscalls at 0xf0000 and up,
	// far above the others; naming one must not make it ENOSYS.
	armCacheflush := compile(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchARM},
		Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "cacheflush"}, Action: specs.ActAllow}},
	})

	tests := []struct {
		name string
		f    *Filter
		in   seccompData
		want uint32
	}{
		{"docker: read", docker, seccompData{nr: unix.SYS_READ, arch: x86}, retAllow},
		{"docker: execve", docker, seccompData{nr: unix.SYS_EXECVE, arch: x86}, retAllow},
		{"docker: keyctl", docker, seccompData{nr: unix.SYS_KEYCTL, arch: x86}, retEPERM},
		{"docker: mount", docker, seccompData{nr: unix.SYS_MOUNT, arch: x86}, retEPERM},
		{"docker: unshare", docker, seccompData{nr: unix.SYS_UNSHARE, arch: x86, args: [6]uint64{unix.CLONE_NEWUSER}}, retEPERM},
		{"docker: clone a thread", docker, seccompData{nr: unix.SYS_CLONE, arch: x86, args: [6]uint64{unix.CLONE_VM | unix.CLONE_THREAD}}, retAllow},
		{"docker: clone a namespace", docker, seccompData{nr: unix.SYS_CLONE, arch: x86, args: [6]uint64{unix.CLONE_NEWNS}}, retEPERM},
		{"docker: clone3 falls back", docker, seccompData{nr: unix.SYS_CLONE3, arch: x86}, retENOSYS},
		{"docker: syscall newer than libseccomp", docker, seccompData{nr: unix.SYS_MSEAL, arch: x86}, retENOSYS},
		{"docker: syscall 1000", docker, seccompData{nr: 1000, arch: x86}, retENOSYS},
		{"docker: i386 read", docker, seccompData{nr: i386Read, arch: i386}, retAllow},
		{"docker: i386 keyctl", docker, seccompData{nr: i386Keyctl, arch: i386}, retEPERM},
		{"docker: i386 syscall 1000", docker, seccompData{nr: 1000, arch: i386}, retENOSYS},
		{"docker: x32 read", docker, seccompData{nr: x32Read, arch: x86}, retAllow},
		{"docker: x32 syscall 1000", docker, seccompData{nr: x32SyscallBit | 1000, arch: x86}, retENOSYS},
		{"docker: foreign architecture is killed", docker, seccompData{nr: unix.SYS_READ, arch: unix.AUDIT_ARCH_AARCH64}, retKillThread},

		{"x86_64 only: x32 is a foreign architecture", compile(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86_64},
			Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow}},
		}), seccompData{nr: x32SyscallBit | 1000, arch: x86}, retKillThread},
		{"kill-process default: new syscall gets ENOSYS", compile(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActKillProcess, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow}},
		}), seccompData{nr: 1000, arch: x86}, retENOSYS},
		{"kill-process default: known syscall is killed", compile(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActKillProcess, Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "openat"}, Action: specs.ActAllow}},
		}), seccompData{nr: unix.SYS_WRITE, arch: x86}, retKillProcess},
		{"default errno ENOSYS: no stub needed", compile(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActErrno, DefaultErrnoRet: uptr(uint(unix.ENOSYS)),
		}), seccompData{nr: 1000, arch: x86}, retENOSYS},
		{"default errno 5", compile(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActErrno, DefaultErrnoRet: uptr(5),
			Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow}},
		}), seccompData{nr: unix.SYS_WRITE, arch: x86}, unix.SECCOMP_RET_ERRNO | 5},
		{"allow default: no stub", allow(), seccompData{nr: 1000, arch: x86}, retAllow},
		{"arm: new syscall", armCacheflush, seccompData{nr: 1000, arch: unix.AUDIT_ARCH_ARM}, retENOSYS},
		{"arm: known syscall not named", armCacheflush, seccompData{nr: armWrite, arch: unix.AUDIT_ARCH_ARM}, retEPERM},
		{"arm: private syscall named", armCacheflush, seccompData{nr: armCacheflushNr, arch: unix.AUDIT_ARCH_ARM}, retAllow},
		{"arm: private syscall not named", armCacheflush, seccompData{nr: armCacheflushNr + 1, arch: unix.AUDIT_ARCH_ARM}, retEPERM},

		{"errno 38 on getpid", allow(specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActErrno, ErrnoRet: uptr(38)}),
			seccompData{nr: unix.SYS_GETPID, arch: x86}, retENOSYS},
		{"errno without errnoRet is EPERM", eperm(), seccompData{nr: unix.SYS_WRITE, arch: x86}, retEPERM},
		{"trace", allow(write(specs.ActTrace)), seccompData{nr: unix.SYS_WRITE, arch: x86}, unix.SECCOMP_RET_TRACE | uint32(unix.EPERM)},
		{"trap", allow(write(specs.ActTrap)), seccompData{nr: unix.SYS_WRITE, arch: x86}, unix.SECCOMP_RET_TRAP},
		{"log", allow(write(specs.ActLog)), seccompData{nr: unix.SYS_WRITE, arch: x86}, unix.SECCOMP_RET_LOG},
		{"kill", allow(write(specs.ActKill)), seccompData{nr: unix.SYS_WRITE, arch: x86}, retKillThread},
		{"kill thread", allow(write(specs.ActKillThread)), seccompData{nr: unix.SYS_WRITE, arch: x86}, retKillThread},
		{"kill process", allow(write(specs.ActKillProcess)), seccompData{nr: unix.SYS_WRITE, arch: x86}, retKillProcess},

		{"AND: both match", eperm(arg(0, specs.OpEqualTo, 1), arg(2, specs.OpGreaterEqual, 10)),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{1, 0, 10}}, retEPERM},
		{"AND: second fails", eperm(arg(0, specs.OpEqualTo, 1), arg(2, specs.OpGreaterEqual, 10)),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{1, 0, 9}}, retAllow},
		{"AND: first fails", eperm(arg(0, specs.OpEqualTo, 1), arg(2, specs.OpGreaterEqual, 10)),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{2, 0, 10}}, retAllow},
		{"same index: OR, first", eperm(arg(0, specs.OpEqualTo, 1), arg(0, specs.OpEqualTo, 2)),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{1}}, retEPERM},
		{"same index: OR, second", eperm(arg(0, specs.OpEqualTo, 1), arg(0, specs.OpEqualTo, 2)),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{2}}, retEPERM},
		{"same index: OR, neither", eperm(arg(0, specs.OpEqualTo, 1), arg(0, specs.OpEqualTo, 2)),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{3}}, retAllow},
		{"NE", eperm(arg(1, specs.OpNotEqual, 5)), seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{0, 6}}, retEPERM},
		{"NE equal", eperm(arg(1, specs.OpNotEqual, 5)), seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{0, 5}}, retAllow},
		{"LT", eperm(arg(0, specs.OpLessThan, 5)), seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{4}}, retEPERM},
		{"LT equal", eperm(arg(0, specs.OpLessThan, 5)), seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{5}}, retAllow},
		{"LE", eperm(arg(0, specs.OpLessEqual, 5)), seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{5}}, retEPERM},
		{"GT", eperm(arg(0, specs.OpGreaterThan, 5)), seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{5}}, retAllow},
		{"GT 64-bit", eperm(arg(0, specs.OpGreaterThan, 5)), seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{1 << 40}}, retEPERM},
		{"MASKED_EQ match", eperm(specs.LinuxSeccompArg{Index: 0, Op: specs.OpMaskedEqual, Value: 0xf0, ValueTwo: 0x20}),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{0x2f}}, retEPERM},
		{"MASKED_EQ no match", eperm(specs.LinuxSeccompArg{Index: 0, Op: specs.OpMaskedEqual, Value: 0xf0, ValueTwo: 0x20}),
			seccompData{nr: unix.SYS_WRITE, arch: x86, args: [6]uint64{0x3f}}, retAllow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(t, tt.f.prog, tt.in); got != tt.want {
				t.Errorf("nr %#x arch %#x args %v: got %#x, want %#x", tt.in.nr, tt.in.arch, tt.in.args, got, tt.want)
			}
		})
	}
}

func TestCompileFlags(t *testing.T) {
	tests := []struct {
		flags []specs.LinuxSeccompFlag
		want  uint
	}{
		{nil, unix.SECCOMP_FILTER_FLAG_TSYNC},
		{[]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog}, unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_LOG},
		{[]specs.LinuxSeccompFlag{specs.LinuxSeccompFlagSpecAllow, flagTSync}, unix.SECCOMP_FILTER_FLAG_TSYNC | unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	}
	for _, tt := range tests {
		t.Run(flagNames(tt.want), func(t *testing.T) {
			f := compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: tt.flags})
			if f.flags != tt.want {
				t.Errorf("flags = %s, want %s", flagNames(f.flags), flagNames(tt.want))
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	cfg := dockerDefault(t)
	cfg.Flags = []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog}
	f := compile(t, cfg)
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4+8*f.Len() {
		t.Fatalf("encoded %d bytes for %d instructions", len(b), f.Len())
	}
	var g Filter
	if err := g.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if g.flags != f.flags || len(g.prog) != len(f.prog) {
		t.Fatalf("round trip: flags %#x/%#x, %d/%d instructions", g.flags, f.flags, len(g.prog), len(f.prog))
	}
	for i := range f.prog {
		if g.prog[i] != f.prog[i] {
			t.Fatalf("instruction %d: %+v, want %+v", i, g.prog[i], f.prog[i])
		}
	}
	for _, bad := range [][]byte{nil, b[:4], b[:len(b)-1]} {
		if err := new(Filter).UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%d bytes) accepted", len(bad))
		}
	}
}

func TestCompileNil(t *testing.T) {
	if _, err := Compile(nil); err == nil {
		t.Error("Compile(nil) succeeded")
	}
	if err := Load(nil); err != nil {
		t.Errorf("Load(nil) = %v, want nil (no seccomp)", err)
	}
}

func TestStubOnlyWhenNeeded(t *testing.T) {
	rules := []specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActKillProcess}}
	tests := []struct {
		name string
		cfg  *specs.LinuxSeccomp
		stub bool
	}{
		{"errno", &specs.LinuxSeccomp{DefaultAction: specs.ActErrno}, true},
		{"kill", &specs.LinuxSeccomp{DefaultAction: specs.ActKill}, true},
		{"trap", &specs.LinuxSeccomp{DefaultAction: specs.ActTrap}, true},
		{"errno ENOSYS", &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uptr(uint(unix.ENOSYS))}, false},
		{"allow", &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: rules}, false},
		{"log", &specs.LinuxSeccomp{DefaultAction: specs.ActLog, Syscalls: rules}, false},
		{"trace", &specs.LinuxSeccomp{DefaultAction: specs.ActTrace, Syscalls: rules}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := compile(t, tt.cfg)
			sf, _, err := build(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer sf.Release()
			plain, err := exportBPF(sf)
			if err != nil {
				t.Fatal(err)
			}
			if has := f.Len() > len(plain); has != tt.stub {
				t.Errorf("stub present = %v, want %v (%d instructions, libseccomp's %d)", has, tt.stub, f.Len(), len(plain))
			}
		})
	}
}
