package capabilities

import (
	"fmt"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// Sets are the five capability sets of a process as bit masks (bit n is
// capability n), what the process stage applies (internal/nsenter).
type Sets struct {
	Bounding, Effective, Permitted, Inheritable, Ambient uint64
}

// Masks resolves c's names into Sets. A name this build does not know is
// an error, as is a set the kernel would refuse (effective beyond
// permitted, ambient beyond permitted and inheritable); a name this build
// knows but the running kernel lacks is left out without a word, as runc
// does: a capability the kernel lacks can be neither granted nor dropped.
// A nil c gives empty sets.
func Masks(c *specs.LinuxCapabilities) (Sets, error) {
	var s Sets
	if c == nil {
		return s, nil
	}
	if err := errSubset(c); err != nil {
		return s, err
	}
	last, err := capability.LastCap()
	if err != nil {
		return s, fmt.Errorf("reading the kernel's last capability: %w", err)
	}
	byName := known()
	for _, set := range []struct {
		name  string
		names []string
		mask  *uint64
	}{
		{"bounding", c.Bounding, &s.Bounding},
		{"effective", c.Effective, &s.Effective},
		{"permitted", c.Permitted, &s.Permitted},
		{"inheritable", c.Inheritable, &s.Inheritable},
		{"ambient", c.Ambient, &s.Ambient},
	} {
		caps, err := resolve(byName, set.names, last)
		if err != nil {
			return Sets{}, fmt.Errorf("%s set: %w", set.name, err)
		}
		for _, cp := range caps {
			*set.mask |= 1 << uint(cp)
		}
	}
	return s, nil
}
