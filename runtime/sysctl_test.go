package runtime

import (
	"errors"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestValidateSysctls(t *testing.T) {
	all := []specs.LinuxNamespace{{Type: specs.NetworkNamespace}, {Type: specs.IPCNamespace}, {Type: specs.UTSNamespace}}
	hostNet := []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/proc/self/ns/net"}, {Type: specs.IPCNamespace}}
	for _, tc := range []struct {
		key      string
		ns       []specs.LinuxNamespace
		hostname string
		ok       bool
	}{
		{"net.ipv4.ip_forward", all, "", true},
		{"net/ipv4/ip_forward", all, "", true},
		{"kernel.shmmax", all, "", true},
		{"fs.mqueue.msg_max", all, "", true},
		{"kernel.domainname", all, "", true},
		{"kernel.hostname", all, "", true},
		{"kernel.hostname", all, "box", false},
		{"net.ipv4.ip_forward", nil, "", false},
		{"net.ipv4.ip_forward", hostNet, "", false},
		{"kernel.shmmax", nil, "", false},
		{"kernel.domainname", nil, "", false},
		{"kernel.core_pattern", all, "", false},
		{"vm.swappiness", all, "", false},
		{"net/../kernel/core_pattern", all, "", false},
		{"net..x", all, "", false},
	} {
		spec := &specs.Spec{Hostname: tc.hostname, Linux: &specs.Linux{Namespaces: tc.ns, Sysctl: map[string]string{tc.key: "1"}}}
		err := validateSysctls(spec, spec.Linux)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, errdefs.ErrInvalidArgument)) {
			t.Errorf("sysctl %q with %v (hostname %q): ok %v, got %v", tc.key, tc.ns, tc.hostname, tc.ok, err)
		}
	}
}
