package cgroup

import (
	"fmt"

	"github.com/opencontainers/cgroups"
	devconfig "github.com/opencontainers/cgroups/devices/config"
)

// writeDeviceRulesV1 applies rules to a new v1 devices cgroup at dir in the
// order the spec lists them, as the runtime spec requires ("the runtime
// MUST apply entries in the listed order"): every device is denied first,
// then each rule is written to devices.allow or devices.deny.
//
// The library computes the shortest transition from the current rules to
// the wanted ones instead, and writes it sorted by (major, minor, type), so
// the kernel's devices.list, which keeps exceptions in the order they were
// added, showed runc's "b *:* m" where the spec had listed "c 10:229 rwm".
// The transition is still what Set uses on a running container: denying
// everything first would break the devices it is using for a moment.
//
// Preconditions: nothing runs in the cgroup yet (Apply before joining).
func writeDeviceRulesV1(dir string, rules []*devconfig.Rule) error {
	if dir == "" {
		return fmt.Errorf("applying device rules: the cgroup has no v1 devices controller")
	}
	if err := cgroups.WriteFile(dir, "devices.deny", "a"); err != nil {
		return fmt.Errorf("applying device rules: denying every device: %w", err)
	}
	for i, r := range rules {
		file := "devices.deny"
		if r.Allow {
			file = "devices.allow"
		}
		if err := cgroups.WriteFile(dir, file, r.CgroupString()); err != nil {
			return fmt.Errorf("applying device rule #%d (%s to %s): %w", i, r.CgroupString(), file, err)
		}
	}
	return nil
}
