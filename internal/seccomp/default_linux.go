package seccomp

import (
	"fmt"

	profiles "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// Default returns Docker's default seccomp profile for spec, from
// github.com/moby/profiles/seccomp. The profile depends on the process's
// bounding capabilities (CAP_SYS_ADMIN, for example, allows mount and
// unshare) and on the architecture this binary was built for; a spec
// without a process or capabilities gets the profile for no capabilities.
// The profile's default action is ERRNO(EPERM).
func Default(spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	// The profile code reads spec.Process.Capabilities.Bounding without
	// checking for nil; give it a spec that has them.
	rs := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}}}
	if spec != nil && spec.Process != nil && spec.Process.Capabilities != nil {
		rs.Process.Capabilities = spec.Process.Capabilities
	}
	cfg, err := profiles.GetDefaultProfile(rs)
	if err != nil {
		return nil, fmt.Errorf("seccomp: building Docker's default profile: %w", err)
	}
	return cfg, nil
}
