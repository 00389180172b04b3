package runtime

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestDeviceAccessKeepsTheSpecsRule: a device the spec creates is given
// rwm unless the spec has its own rule for it, which then decides (docker
// run --device X:X:r must stay read-only).
func TestDeviceAccessKeepsTheSpecsRule(t *testing.T) {
	major, minor := int64(10), int64(200)
	devices := []specs.LinuxDevice{{Path: "/dev/tun", Type: "c", Major: 10, Minor: 200}, {Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229}}
	r := &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: &major, Minor: &minor, Access: "r"},
	}}
	access := map[int64]string{}
	for _, rule := range withDeviceAccess(r, devices).Devices {
		if rule.Allow && rule.Type == "c" && rule.Major != nil && *rule.Major == 10 && rule.Minor != nil {
			access[*rule.Minor] += rule.Access + ";"
		}
	}
	if access[200] != "r;" {
		t.Errorf("the spec's rule r for 10:200 became %q", access[200])
	}
	if access[229] != "rwm;" {
		t.Errorf("a created device without a rule of its own: want rwm, got %q", access[229])
	}
}
