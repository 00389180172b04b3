package seccomp

import (
	"errors"
	"strings"
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func uptr(v uint) *uint { return &v }

func TestValidate(t *testing.T) {
	allowAll := func(rules ...specs.LinuxSyscall) *specs.LinuxSeccomp {
		return &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: rules}
	}
	rule := func(action specs.LinuxSeccompAction, names ...string) specs.LinuxSyscall {
		return specs.LinuxSyscall{Names: names, Action: action}
	}
	var everyAction []specs.LinuxSyscall
	for _, a := range []specs.LinuxSeccompAction{
		specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap,
		specs.ActErrno, specs.ActTrace, specs.ActAllow, specs.ActLog,
	} {
		everyAction = append(everyAction, rule(a, "getpid"))
	}
	var everyOp []specs.LinuxSeccompArg
	for i, op := range []specs.LinuxSeccompOperator{
		specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
		specs.OpGreaterEqual, specs.OpGreaterThan,
	} {
		everyOp = append(everyOp, specs.LinuxSeccompArg{Index: uint(i), Value: 1, Op: op})
	}
	docker, err := Default(&specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		cfg  *specs.LinuxSeccomp
		// wantIn are substrings of the error; none means valid.
		wantIn []string
	}{
		{name: "nil", cfg: nil},
		{name: "allow all", cfg: allowAll()},
		{name: "docker default", cfg: docker},
		{name: "every action", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uptr(1), Syscalls: everyAction}},
		{name: "every operator ANDed", cfg: allowAll(specs.LinuxSyscall{Names: []string{"write"}, Action: specs.ActErrno, Args: everyOp})},
		{name: "masked equal and same index twice", cfg: allowAll(specs.LinuxSyscall{Names: []string{"clone"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{
			{Index: 0, Value: 0xff, ValueTwo: 1, Op: specs.OpMaskedEqual}, {Index: 0, Value: 7, Op: specs.OpEqualTo},
		}})},
		{name: "unknown syscall skipped", cfg: allowAll(rule(specs.ActErrno, "not_a_syscall_at_all", "getpid"))},
		{name: "rule equal to default dropped", cfg: allowAll(rule(specs.ActAllow, "getpid"))},
		{name: "every architecture of the x86 family", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
			Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32, specs.ArchAARCH64, specs.ArchARM}}},
		{name: "flags", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
			Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow, flagTSync}}},

		{name: "no default action", cfg: &specs.LinuxSeccomp{}, wantIn: []string{"defaultAction: no action"}},
		{name: "unknown default action", cfg: &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_MAYBE"},
			wantIn: []string{`defaultAction: unknown action "SCMP_ACT_MAYBE"`}},
		{name: "unknown rule action", cfg: allowAll(rule(specs.ActErrno, "getpid"), rule("SCMP_ACT_FOO", "read")),
			wantIn: []string{`syscalls[1].action: unknown action "SCMP_ACT_FOO"`}},
		{name: "notify", cfg: allowAll(rule(specs.ActNotify, "getpid")),
			wantIn: []string{"syscalls[0].action: action SCMP_ACT_NOTIFY is not supported"}},
		{name: "listener path", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/x.sock"},
			wantIn: []string{"listenerPath"}},
		{name: "unknown architecture", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchX86, "SCMP_ARCH_Z80"}},
			wantIn: []string{`architectures[1]: unknown architecture "SCMP_ARCH_Z80"`}},
		{name: "unknown operator", cfg: allowAll(specs.LinuxSyscall{Names: []string{"write"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{
			{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 1, Value: 1, Op: "SCMP_CMP_SPACESHIP"},
		}}), wantIn: []string{`syscalls[0].args[1].op: unknown operator "SCMP_CMP_SPACESHIP"`}},
		{name: "argument index", cfg: allowAll(specs.LinuxSyscall{Names: []string{"write"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{
			{Index: 6, Value: 1, Op: specs.OpEqualTo},
		}}), wantIn: []string{"syscalls[0].args[0].index: index 6 is out of range"}},
		{name: "unknown flag", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_FAST"}},
			wantIn: []string{`flags[0]: unknown flag "SECCOMP_FILTER_FLAG_FAST"`}},
		{name: "wait killable recv", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}},
			wantIn: []string{"flags[0]: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported"}},
		{name: "errnoRet on allow", cfg: allowAll(specs.LinuxSyscall{Names: []string{"getpid"}, Action: specs.ActKillProcess, ErrnoRet: uptr(1)}),
			wantIn: []string{"syscalls[0].action: errnoRet is only valid with"}},
		{name: "errnoRet too big", cfg: &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uptr(70000)},
			wantIn: []string{"defaultAction: errnoRet 70000 does not fit in 16 bits"}},
		{name: "no names", cfg: allowAll(specs.LinuxSyscall{Action: specs.ActErrno}), wantIn: []string{"syscalls[0].names: no syscall names"}},
		{name: "empty name", cfg: allowAll(rule(specs.ActErrno, "getpid", "")), wantIn: []string{"syscalls[0].names[1]: empty syscall name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.cfg)
			if len(tt.wantIn) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error %v is not ErrInvalidArgument", err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestValidateArchitectureTooNew checks that an architecture the spec knows
// but the linked libseccomp does not is reported with its field.
func TestValidateArchitectureTooNew(t *testing.T) {
	if maj, minor, _ := libseccomp.GetLibraryVersion(); maj > 2 || minor >= 6 {
		testutil.Missing(t, "libseccomp %d.%d knows SCMP_ARCH_LOONGARCH64", maj, minor)
	}
	err := Validate(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchLOONGARCH64}})
	if err == nil || !strings.Contains(err.Error(), "architectures[0]: architecture SCMP_ARCH_LOONGARCH64") {
		t.Fatalf("Validate(loongarch64) = %v, want an error naming architectures[0]", err)
	}
}
