package container

import (
	"regexp"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// deviceRule is a --device-cgroup-rule: exactly "TYPE MAJOR:MINOR ACCESS",
// one space apart, as the kernel's devices.allow takes it.
var deviceRule = regexp.MustCompile(`^([abc]) ([0-9]{1,10}|\*):([0-9]{1,10}|\*) ([rwm]{1,3})$`)

// parseDeviceCgroupRule parses a --device-cgroup-rule strictly into the
// allow rule it says and nothing wider.
//
// The kernel's v1 device cgroup reads "a" as "every device" whatever
// numbers follow ("a 1:3 r" in devices.allow allows every device with
// every access), so type a is taken only as "a *:* ACCESS", which says
// so. Access letters may not repeat; numbers are at most 32 bits (the
// kernel's dev_t parts are smaller still and refuse the rest).
func parseDeviceCgroupRule(s string) (specs.LinuxDeviceCgroup, error) {
	m := deviceRule.FindStringSubmatch(s)
	if m == nil {
		return specs.LinuxDeviceCgroup{}, invalidf("invalid device cgroup rule %q: want TYPE MAJOR:MINOR ACCESS, such as 'c 1:3 rwm' (TYPE a, b or c; MAJOR and MINOR numbers or *; ACCESS of r, w and m)", s)
	}
	typ, major, minor, access := m[1], m[2], m[3], m[4]
	for i, c := range access {
		for _, d := range access[:i] {
			if c == d {
				return specs.LinuxDeviceCgroup{}, invalidf("invalid device cgroup rule %q: access %q names %c twice", s, access, c)
			}
		}
	}
	if typ == "a" && (major != "*" || minor != "*") {
		return specs.LinuxDeviceCgroup{}, invalidf("invalid device cgroup rule %q: type a means every device, so its numbers must be *:* ('a *:* %s')", s, access)
	}
	rule := specs.LinuxDeviceCgroup{Allow: true, Type: typ, Access: access}
	num := func(v string) (*int64, error) {
		if v == "*" {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > 1<<32-1 {
			return nil, invalidf("invalid device cgroup rule %q: %s is not a device number", s, v)
		}
		return &n, nil
	}
	var err error
	if rule.Major, err = num(major); err != nil {
		return specs.LinuxDeviceCgroup{}, err
	}
	if rule.Minor, err = num(minor); err != nil {
		return specs.LinuxDeviceCgroup{}, err
	}
	return rule, nil
}
