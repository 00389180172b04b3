package runtime

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/internal/rootfs"
)

// withDeviceAccess returns the cgroup resources with access granted, after
// the spec's own rules, to the devices every container gets (rootfs's
// defaults, /dev/console, the pty devices) and to every device the spec
// creates, as runc does: a spec that denies all devices, like the one
// `spec` writes, still gives a working /dev/null.
func withDeviceAccess(r *specs.LinuxResources, devices []specs.LinuxDevice) *specs.LinuxResources {
	out := specs.LinuxResources{}
	if r != nil {
		out = *r
	}
	rules := append([]specs.LinuxDeviceCgroup{}, out.Devices...)
	allow := func(typ string, major, minor int64, access string) {
		rules = append(rules, specs.LinuxDeviceCgroup{Allow: true, Type: typ, Major: &major, Minor: &minor, Access: access})
	}
	var any int64 = -1
	// mknod of any device is allowed; using one needs a rule below.
	rules = append(rules,
		specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: &any, Minor: &any, Access: "m"},
		specs.LinuxDeviceCgroup{Allow: true, Type: "b", Major: &any, Minor: &any, Access: "m"})
	for _, d := range append(rootfs.DefaultDevices(), devices...) {
		if d.Type == "p" {
			continue // fifos are not subject to the device cgroup
		}
		typ := d.Type
		if typ == "u" {
			typ = "c"
		}
		if hasRuleFor(out.Devices, typ, d.Major, d.Minor) {
			continue // the spec's own rule says what access it has
		}
		allow(typ, d.Major, d.Minor, "rwm")
	}
	allow("c", 5, 1, "rwm")    // /dev/console
	allow("c", 5, 2, "rwm")    // /dev/ptmx
	allow("c", 136, -1, "rwm") // /dev/pts/*
	out.Devices = rules
	return &out
}

// hasRuleFor reports whether rules name exactly the device typ
// major:minor. A device the spec both creates and gives a rule keeps that
// rule's access: docker run --device /dev/x:/dev/x:r must not be writable.
func hasRuleFor(rules []specs.LinuxDeviceCgroup, typ string, major, minor int64) bool {
	for _, r := range rules {
		if r.Type == typ && r.Major != nil && *r.Major == major && r.Minor != nil && *r.Minor == minor {
			return true
		}
	}
	return false
}
