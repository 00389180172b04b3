package capabilities

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Validate checks that every name in the five sets of c is a capability the
// running kernel knows, and that the sets can be applied as given: effective
// within permitted (capset(2) refuses more) and ambient within both
// permitted and inheritable (PR_CAP_AMBIENT_RAISE refuses more). A nil c is
// valid (it means no capabilities at all).
//
// Every problem is named in the returned error, which wraps
// errdefs.ErrInvalidArgument. Names this build does not know are reported
// as unknown; names it knows but the running kernel lacks (a spec written
// for a newer kernel) are reported as unsupported, with the kernel's last
// capability. Masks leaves the latter out instead of failing,
// as runc does, so a caller that wants runc's leniency may skip Validate.
func Validate(c *specs.LinuxCapabilities) error {
	if c == nil {
		return nil
	}
	last, err := capability.LastCap()
	if err != nil {
		return fmt.Errorf("reading the kernel's last capability: %w", err)
	}
	return validate(c, last)
}

// validate is Validate against a kernel whose last capability is last.
func validate(c *specs.LinuxCapabilities, last capability.Cap) error {
	byName := known()
	var problems []string
	for _, s := range sets(c) {
		for _, n := range s.names {
			cp, ok := byName[n]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("unknown capability %q in the %s set", n, s.name))
			case cp > last:
				problems = append(problems, fmt.Sprintf("capability %q in the %s set is not supported by the running kernel (its last is %s)",
					n, s.name, name(last)))
			}
		}
	}
	problems = append(problems, subsetProblems(c)...)
	if len(problems) > 0 {
		return fmt.Errorf("capabilities: %s: %w", strings.Join(problems, "; "), errdefs.ErrInvalidArgument)
	}
	return nil
}

// subsetProblems reports the names that the kernel would refuse to set
// because of the rules between sets: effective ⊆ permitted and
// ambient ⊆ permitted ∩ inheritable.
func subsetProblems(c *specs.LinuxCapabilities) []string {
	var problems []string
	for _, n := range c.Effective {
		if !slices.Contains(c.Permitted, n) {
			problems = append(problems, fmt.Sprintf("effective capability %q is not in the permitted set", n))
		}
	}
	for _, n := range c.Ambient {
		if !slices.Contains(c.Permitted, n) || !slices.Contains(c.Inheritable, n) {
			problems = append(problems, fmt.Sprintf("ambient capability %q must also be in the permitted and inheritable sets", n))
		}
	}
	return problems
}

// errSubset turns subsetProblems into an error, or nil.
func errSubset(c *specs.LinuxCapabilities) error {
	p := subsetProblems(c)
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("capabilities: %s: %w", strings.Join(p, "; "), errdefs.ErrInvalidArgument)
}
