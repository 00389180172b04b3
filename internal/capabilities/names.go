package capabilities

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// DockerDefaults returns Docker's 14 default capabilities as "CAP_..." names:
// CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP
// NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE. The slice is new on every
// call; the caller may modify it.
func DockerDefaults() []string {
	return []string{
		"CAP_CHOWN",
		"CAP_DAC_OVERRIDE",
		"CAP_FSETID",
		"CAP_FOWNER",
		"CAP_MKNOD",
		"CAP_NET_RAW",
		"CAP_SETGID",
		"CAP_SETUID",
		"CAP_SETFCAP",
		"CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT",
		"CAP_KILL",
		"CAP_AUDIT_WRITE",
	}
}

// set names one of the five capability sets of a process.
type set struct {
	name  string
	names []string
}

// sets lists the five sets of c in a fixed order; a nil c has five empty sets.
func sets(c *specs.LinuxCapabilities) []set {
	if c == nil {
		return []set{{"bounding", nil}, {"effective", nil}, {"permitted", nil}, {"inheritable", nil}, {"ambient", nil}}
	}
	return []set{
		{"bounding", c.Bounding},
		{"effective", c.Effective},
		{"permitted", c.Permitted},
		{"inheritable", c.Inheritable},
		{"ambient", c.Ambient},
	}
}

// KnownNames lists every capability name ("CAP_SYS_ADMIN") this build
// knows, whether or not the running kernel has it.
func KnownNames() []string {
	all := capability.ListKnown()
	names := make([]string, 0, len(all))
	for _, c := range all {
		names = append(names, name(c))
	}
	return names
}

// ValidateNames checks only that every name in the five sets of c is one
// this build knows, whatever the running kernel has; the error names the
// first unknown one by its place in the spec and wraps
// errdefs.ErrInvalidArgument. It is the OCI runtime's check before
// create: runc accepts a capability the kernel lacks (Apply skips it) and
// the rules between the sets are the kernel's to enforce at Apply.
// Validate is the strict check.
func ValidateNames(c *specs.LinuxCapabilities) error {
	byName := known()
	for _, s := range sets(c) {
		for i, n := range s.names {
			if _, ok := byName[n]; !ok {
				return fmt.Errorf("process.capabilities.%s[%d] %q is unknown: %w", s.name, i, n, errdefs.ErrInvalidArgument)
			}
		}
	}
	return nil
}

// known maps every capability name this build knows ("CAP_CHOWN") to its
// number. It is built per call: 41 entries cost less than a syscall, and the
// package keeps no mutable state.
func known() map[string]capability.Cap {
	all := capability.ListKnown()
	m := make(map[string]capability.Cap, len(all))
	for _, c := range all {
		m[name(c)] = c
	}
	return m
}

// resolve converts names to capability numbers, dropping the ones above last
// (the running kernel's last capability). A name this build does not know is
// an error.
func resolve(byName map[string]capability.Cap, names []string, last capability.Cap) ([]capability.Cap, error) {
	out := make([]capability.Cap, 0, len(names))
	for _, n := range names {
		c, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("unknown capability %q: %w", n, errdefs.ErrInvalidArgument)
		}
		if c > last {
			continue // Not in this kernel: nothing to grant or drop.
		}
		out = append(out, c)
	}
	return out, nil
}

// name is the spec's name of c: "CAP_" and the kernel's name in upper case.
func name(c capability.Cap) string {
	return "CAP_" + strings.ToUpper(c.String())
}
