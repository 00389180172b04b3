package seccomp

import (
	"fmt"
	"slices"

	"github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
)

// Validate checks cfg without loading it: actions, architectures,
// operators, argument indexes and flags must be known and supported, and
// the linked libseccomp must accept every rule. Syscall names libseccomp
// does not know are skipped, as Load skips them; an empty name is an error.
// A nil cfg (no seccomp) is valid. Errors wrap errdefs.ErrInvalidArgument
// and name the field, such as "syscalls[3].args[0].op".
func Validate(cfg *specs.LinuxSeccomp) error {
	if cfg == nil {
		return nil
	}
	f, _, err := build(cfg)
	if err != nil {
		return err
	}
	f.Release()
	return nil
}

// build turns cfg into a libseccomp filter context, which the caller
// releases, and returns the architectures in it (the native one first).
func build(cfg *specs.LinuxSeccomp) (*libseccomp.ScmpFilter, []libseccomp.ScmpArch, error) {
	defAct, err := action("defaultAction", cfg.DefaultAction, cfg.DefaultErrnoRet)
	if err != nil {
		return nil, nil, err
	}
	if cfg.ListenerPath != "" {
		return nil, nil, invalid("listenerPath", "a seccomp notify listener is not supported")
	}
	if _, err := loadFlags(cfg.Flags); err != nil {
		return nil, nil, err
	}

	native, err := libseccomp.GetNativeArch()
	if err != nil {
		return nil, nil, fmt.Errorf("seccomp: finding the native architecture: %w", err)
	}
	arches := []libseccomp.ScmpArch{native}
	listed := make([]libseccomp.ScmpArch, len(cfg.Architectures))
	for i, a := range cfg.Architectures {
		if listed[i], err = arch(fmt.Sprintf("architectures[%d]", i), a); err != nil {
			return nil, nil, err
		}
		if !slices.Contains(arches, listed[i]) {
			arches = append(arches, listed[i])
		}
	}

	f, err := libseccomp.NewFilter(defAct)
	if err != nil {
		return nil, nil, fmt.Errorf("seccomp: creating filter with default action %s: %w", cfg.DefaultAction, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Release()
		}
	}()
	// no_new_privs is the caller's business (the spec's noNewPrivileges),
	// and Filter.Load does not go through seccomp_load anyway.
	if err := f.SetNoNewPrivsBit(false); err != nil {
		return nil, nil, fmt.Errorf("seccomp: clearing the filter's no_new_privs attribute: %w", err)
	}
	for i, a := range listed {
		// The native architecture is in every new filter; AddArch accepts
		// it again silently.
		if err := f.AddArch(a); err != nil {
			return nil, nil, invalid(fmt.Sprintf("architectures[%d]", i), "architecture %s: %v", cfg.Architectures[i], err)
		}
	}
	for i, rule := range cfg.Syscalls {
		if err := addRule(f, fmt.Sprintf("syscalls[%d]", i), rule, defAct); err != nil {
			return nil, nil, err
		}
	}
	ok = true
	return f, arches, nil
}

// addRule adds one OCI syscall rule to f.
func addRule(f *libseccomp.ScmpFilter, field string, rule specs.LinuxSyscall, defAct libseccomp.ScmpAction) error {
	act, err := action(field+".action", rule.Action, rule.ErrnoRet)
	if err != nil {
		return err
	}
	if len(rule.Names) == 0 {
		return invalid(field+".names", "no syscall names")
	}
	conds := make([]libseccomp.ScmpCondition, 0, len(rule.Args))
	var perIndex [6]int
	for j, a := range rule.Args {
		c, err := condition(fmt.Sprintf("%s.args[%d]", field, j), a)
		if err != nil {
			return err
		}
		conds = append(conds, c)
		perIndex[a.Index]++
	}
	// libseccomp cannot put two comparisons of one argument in a rule. runc
	// turns each into a rule of its own (so they are ORed), and profiles
	// such as Docker's are written for that.
	groups := [][]libseccomp.ScmpCondition{conds}
	for _, n := range perIndex {
		if n > 1 {
			groups = groups[:0]
			for _, c := range conds {
				groups = append(groups, []libseccomp.ScmpCondition{c})
			}
			break
		}
	}
	for j, name := range rule.Names {
		if name == "" {
			return invalid(fmt.Sprintf("%s.names[%d]", field, j), "empty syscall name")
		}
		if act == defAct {
			continue // libseccomp refuses it, and it would change nothing.
		}
		nr, err := libseccomp.GetSyscallFromName(name)
		if err != nil {
			continue // Unknown to this libseccomp: skipped, as runc does.
		}
		for _, g := range groups {
			if err := f.AddRuleConditional(nr, act, g); err != nil {
				return invalid(fmt.Sprintf("%s.names[%d]", field, j), "adding rule for %q: %v", name, err)
			}
		}
	}
	return nil
}
