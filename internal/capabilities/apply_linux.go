package capabilities

import (
	"fmt"

	"github.com/moby/sys/capability"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// ApplyBounding drops from the calling thread's bounding set every
// capability that is not in c.Bounding (PR_CAPBSET_DROP); a nil c or an
// empty c.Bounding drops them all. Capabilities already absent are not
// dropped again, so a thread without CAP_SETPCAP succeeds when there is
// nothing to do.
//
// Preconditions: the calling goroutine holds runtime.LockOSThread and will
// execve from this thread; the thread has CAP_SETPCAP in its effective set
// (it is still root: call before switching user).
func ApplyBounding(c *specs.LinuxCapabilities) error {
	if c == nil {
		c = &specs.LinuxCapabilities{}
	}
	last, err := capability.LastCap()
	if err != nil {
		return fmt.Errorf("reading the kernel's last capability: %w", err)
	}
	keep, err := resolve(known(), c.Bounding, last)
	if err != nil {
		return fmt.Errorf("bounding set: %w", err)
	}
	var keepMask uint64
	for _, k := range keep {
		keepMask |= 1 << uint(k)
	}
	for cp := capability.Cap(0); cp <= last; cp++ {
		if keepMask&(1<<uint(cp)) != 0 {
			continue
		}
		in, err := capability.GetBound(cp)
		if err != nil {
			return fmt.Errorf("prctl(PR_CAPBSET_READ, %s): %w", name(cp), err)
		}
		if !in {
			continue
		}
		if err := capability.DropBound(cp); err != nil {
			return fmt.Errorf("prctl(PR_CAPBSET_DROP, %s): %w", name(cp), err)
		}
	}
	return nil
}

// Apply sets the calling thread's effective, permitted and inheritable sets
// to exactly c.Effective, c.Permitted and c.Inheritable in one capset(2),
// then clears the ambient set and raises exactly c.Ambient. A nil set (or a
// nil c) means an empty one.
//
// The order matters: the kernel raises an ambient capability only if it is
// already in both the permitted and the inheritable set, and capset(2)
// itself lowers any ambient capability that falls out of either, so the
// ambient set must come last.
//
// Preconditions: the calling goroutine holds runtime.LockOSThread and will
// execve from this thread. Apply runs after the user switch; the caller set
// PR_SET_KEEPCAPS before setresuid (the permitted set survives it, the
// effective set does not) and cleared it afterwards. capset(2) can then only
// shrink the permitted set and put into inheritable what is permitted or
// already inheritable.
func Apply(c *specs.LinuxCapabilities) error {
	if c == nil {
		c = &specs.LinuxCapabilities{}
	}
	if err := errSubset(c); err != nil {
		return err
	}
	last, err := capability.LastCap()
	if err != nil {
		return fmt.Errorf("reading the kernel's last capability: %w", err)
	}
	byName := known()
	want := map[capability.CapType][]capability.Cap{}
	for _, s := range []struct {
		which capability.CapType
		names []string
	}{
		{capability.EFFECTIVE, c.Effective},
		{capability.PERMITTED, c.Permitted},
		{capability.INHERITABLE, c.Inheritable},
		{capability.AMBIENT, c.Ambient},
	} {
		caps, err := resolve(byName, s.names, last)
		if err != nil {
			return fmt.Errorf("%s set: %w", s.which, err)
		}
		want[s.which] = caps
	}

	// NewPid2 does not load the current state: every set starts empty,
	// which is what "exactly" needs.
	st, err := capability.NewPid2(0)
	if err != nil {
		return fmt.Errorf("preparing capset: %w", err)
	}
	for _, which := range []capability.CapType{capability.EFFECTIVE, capability.PERMITTED, capability.INHERITABLE} {
		st.Set(which, want[which]...)
	}
	if err := st.Apply(capability.CAPS); err != nil {
		return fmt.Errorf("capset(effective=%v, permitted=%v, inheritable=%v): %w",
			c.Effective, c.Permitted, c.Inheritable, err)
	}

	if err := capability.ResetAmbient(); err != nil {
		return fmt.Errorf("prctl(PR_CAP_AMBIENT_CLEAR_ALL): %w", err)
	}
	for _, a := range want[capability.AMBIENT] {
		if err := capability.SetAmbient(true, a); err != nil {
			return fmt.Errorf("prctl(PR_CAP_AMBIENT_RAISE, %s): %w", name(a), err)
		}
	}
	return nil
}
