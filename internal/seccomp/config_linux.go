package seccomp

import (
	"fmt"

	"github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Translations from the OCI spec's names to libseccomp and kernel values.
// Every error wraps errdefs.ErrInvalidArgument and names the offending field
// as a path into the spec (for example "syscalls[3].args[0].op").

// flagTSync is accepted in the spec's flags even though the spec does not
// define it: the filter is always loaded with it.
const flagTSync specs.LinuxSeccompFlag = "SECCOMP_FILTER_FLAG_TSYNC"

// invalid builds an ErrInvalidArgument error about field.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("seccomp: %s: %s: %w", field, fmt.Sprintf(format, args...), errdefs.ErrInvalidArgument)
}

// action converts an OCI action and its errnoRet into a libseccomp action.
// ERRNO and TRACE carry errnoRet (EPERM when it is nil, as runc does); the
// other actions take no value.
func action(field string, a specs.LinuxSeccompAction, errnoRet *uint) (libseccomp.ScmpAction, error) {
	ret := uint(unix.EPERM)
	if errnoRet != nil {
		ret = *errnoRet
		if ret > 0xffff {
			// SECCOMP_RET_DATA is the low 16 bits of the return value.
			return libseccomp.ActInvalid, invalid(field, "errnoRet %d does not fit in 16 bits", ret)
		}
	}
	if errnoRet != nil && a != specs.ActErrno && a != specs.ActTrace {
		return libseccomp.ActInvalid, invalid(field, "errnoRet is only valid with %s or %s, not %s", specs.ActErrno, specs.ActTrace, a)
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return libseccomp.ActKillThread, nil
	case specs.ActKillProcess:
		return libseccomp.ActKillProcess, nil
	case specs.ActTrap:
		return libseccomp.ActTrap, nil
	case specs.ActErrno:
		return libseccomp.ActErrno.SetReturnCode(int16(ret)), nil
	case specs.ActTrace:
		return libseccomp.ActTrace.SetReturnCode(int16(ret)), nil
	case specs.ActAllow:
		return libseccomp.ActAllow, nil
	case specs.ActLog:
		return libseccomp.ActLog, nil
	case specs.ActNotify:
		return libseccomp.ActInvalid, invalid(field, "action %s is not supported (no seccomp notify listener)", a)
	case "":
		return libseccomp.ActInvalid, invalid(field, "no action")
	}
	return libseccomp.ActInvalid, invalid(field, "unknown action %q", a)
}

// isPermissive reports whether a default action lets unknown syscalls run
// (or hands them to a tracer, which should answer ENOSYS itself): such a
// filter needs no ENOSYS stub.
func isPermissive(a specs.LinuxSeccompAction) bool {
	return a == specs.ActAllow || a == specs.ActLog || a == specs.ActTrace
}

// arch converts an OCI architecture into libseccomp's.
func arch(field string, a specs.Arch) (libseccomp.ScmpArch, error) {
	switch a {
	case specs.ArchX86:
		return libseccomp.ArchX86, nil
	case specs.ArchX86_64:
		return libseccomp.ArchAMD64, nil
	case specs.ArchX32:
		return libseccomp.ArchX32, nil
	case specs.ArchARM:
		return libseccomp.ArchARM, nil
	case specs.ArchAARCH64:
		return libseccomp.ArchARM64, nil
	case specs.ArchMIPS:
		return libseccomp.ArchMIPS, nil
	case specs.ArchMIPS64:
		return libseccomp.ArchMIPS64, nil
	case specs.ArchMIPS64N32:
		return libseccomp.ArchMIPS64N32, nil
	case specs.ArchMIPSEL:
		return libseccomp.ArchMIPSEL, nil
	case specs.ArchMIPSEL64:
		return libseccomp.ArchMIPSEL64, nil
	case specs.ArchMIPSEL64N32:
		return libseccomp.ArchMIPSEL64N32, nil
	case specs.ArchPPC:
		return libseccomp.ArchPPC, nil
	case specs.ArchPPC64:
		return libseccomp.ArchPPC64, nil
	case specs.ArchPPC64LE:
		return libseccomp.ArchPPC64LE, nil
	case specs.ArchS390:
		return libseccomp.ArchS390, nil
	case specs.ArchS390X:
		return libseccomp.ArchS390X, nil
	case specs.ArchPARISC:
		return libseccomp.ArchPARISC, nil
	case specs.ArchPARISC64:
		return libseccomp.ArchPARISC64, nil
	case specs.ArchRISCV64:
		return libseccomp.ArchRISCV64, nil
	case specs.ArchLOONGARCH64:
		return libseccomp.ArchLOONGARCH64, nil
	case specs.ArchM68K:
		return libseccomp.ArchM68K, nil
	case specs.ArchSH:
		return libseccomp.ArchSH, nil
	case specs.ArchSHEB:
		return libseccomp.ArchSHEB, nil
	}
	return libseccomp.ArchInvalid, invalid(field, "unknown architecture %q", a)
}

// auditArch is the value the kernel puts in seccomp_data.arch for a, or 0
// when this package does not know it. x32 shares x86_64's value: its
// syscall numbers carry bit 30 (__X32_SYSCALL_BIT) instead.
func auditArch(a libseccomp.ScmpArch) uint32 {
	switch a {
	case libseccomp.ArchX86:
		return unix.AUDIT_ARCH_I386
	case libseccomp.ArchAMD64, libseccomp.ArchX32:
		return unix.AUDIT_ARCH_X86_64
	case libseccomp.ArchARM:
		return unix.AUDIT_ARCH_ARM
	case libseccomp.ArchARM64:
		return unix.AUDIT_ARCH_AARCH64
	case libseccomp.ArchMIPS:
		return unix.AUDIT_ARCH_MIPS
	case libseccomp.ArchMIPS64:
		return unix.AUDIT_ARCH_MIPS64
	case libseccomp.ArchMIPS64N32:
		return unix.AUDIT_ARCH_MIPS64N32
	case libseccomp.ArchMIPSEL:
		return unix.AUDIT_ARCH_MIPSEL
	case libseccomp.ArchMIPSEL64:
		return unix.AUDIT_ARCH_MIPSEL64
	case libseccomp.ArchMIPSEL64N32:
		return unix.AUDIT_ARCH_MIPSEL64N32
	case libseccomp.ArchPPC:
		return unix.AUDIT_ARCH_PPC
	case libseccomp.ArchPPC64:
		return unix.AUDIT_ARCH_PPC64
	case libseccomp.ArchPPC64LE:
		return unix.AUDIT_ARCH_PPC64LE
	case libseccomp.ArchS390:
		return unix.AUDIT_ARCH_S390
	case libseccomp.ArchS390X:
		return unix.AUDIT_ARCH_S390X
	case libseccomp.ArchPARISC:
		return unix.AUDIT_ARCH_PARISC
	case libseccomp.ArchPARISC64:
		return unix.AUDIT_ARCH_PARISC64
	case libseccomp.ArchRISCV64:
		return unix.AUDIT_ARCH_RISCV64
	case libseccomp.ArchLOONGARCH64:
		return unix.AUDIT_ARCH_LOONGARCH64
	case libseccomp.ArchM68K:
		return unix.AUDIT_ARCH_M68K
	case libseccomp.ArchSH:
		return unix.AUDIT_ARCH_SHEL
	case libseccomp.ArchSHEB:
		return unix.AUDIT_ARCH_SH
	}
	return 0
}

// operator converts an OCI comparison operator into libseccomp's.
func operator(field string, op specs.LinuxSeccompOperator) (libseccomp.ScmpCompareOp, error) {
	switch op {
	case specs.OpNotEqual:
		return libseccomp.CompareNotEqual, nil
	case specs.OpLessThan:
		return libseccomp.CompareLess, nil
	case specs.OpLessEqual:
		return libseccomp.CompareLessOrEqual, nil
	case specs.OpEqualTo:
		return libseccomp.CompareEqual, nil
	case specs.OpGreaterEqual:
		return libseccomp.CompareGreaterEqual, nil
	case specs.OpGreaterThan:
		return libseccomp.CompareGreater, nil
	case specs.OpMaskedEqual:
		return libseccomp.CompareMaskedEqual, nil
	}
	return libseccomp.CompareInvalid, invalid(field, "unknown operator %q", op)
}

// condition converts one OCI argument match. For SCMP_CMP_MASKED_EQ the
// spec's value is the mask and valueTwo the expected result
// ((arg & value) == valueTwo), the order libseccomp takes them in.
func condition(field string, a specs.LinuxSeccompArg) (libseccomp.ScmpCondition, error) {
	op, err := operator(field+".op", a.Op)
	if err != nil {
		return libseccomp.ScmpCondition{}, err
	}
	if a.Index > 5 {
		return libseccomp.ScmpCondition{}, invalid(field+".index", "index %d is out of range (a syscall has 6 arguments)", a.Index)
	}
	values := []uint64{a.Value}
	if op == libseccomp.CompareMaskedEqual {
		values = append(values, a.ValueTwo)
	}
	c, err := libseccomp.MakeCondition(a.Index, op, values...)
	if err != nil {
		return c, invalid(field, "%v", err)
	}
	return c, nil
}

// loadFlags converts the spec's flags into seccomp(2) filter flags. TSYNC
// is always part of the result.
func loadFlags(flags []specs.LinuxSeccompFlag) (uint, error) {
	out := uint(unix.SECCOMP_FILTER_FLAG_TSYNC)
	for i, f := range flags {
		field := fmt.Sprintf("flags[%d]", i)
		switch f {
		case flagTSync:
		case specs.LinuxSeccompFlagLog:
			out |= unix.SECCOMP_FILTER_FLAG_LOG
		case specs.LinuxSeccompFlagSpecAllow:
			out |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		case specs.LinuxSeccompFlagWaitKillableRecv:
			return 0, invalid(field, "flag %s is not supported (it needs a seccomp notify listener)", f)
		default:
			return 0, invalid(field, "unknown flag %q", f)
		}
	}
	return out, nil
}
