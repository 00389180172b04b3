package container

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/capabilities"
)

// capabilitySet is Docker's default set with --cap-add and --cap-drop
// applied, in Docker's order: "ALL" in add starts from every capability
// the kernel has, "ALL" in drop from none; then the other drops, then the
// other adds. Names may omit "CAP_" and use any case.
func capabilitySet(add, drop []string) ([]string, error) {
	all, err := allCapabilities()
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range capability.ListKnown() {
		known["CAP_"+strings.ToUpper(c.String())] = true
	}
	norm := func(list []string) ([]string, bool, error) {
		var out []string
		hasAll := false
		for _, n := range list {
			n = strings.ToUpper(strings.TrimSpace(n))
			if n == "ALL" {
				hasAll = true
				continue
			}
			if !strings.HasPrefix(n, "CAP_") {
				n = "CAP_" + n
			}
			if !known[n] {
				return nil, false, fmt.Errorf("unknown capability %q: %w", n, errdefs.ErrInvalidArgument)
			}
			out = append(out, n)
		}
		return out, hasAll, nil
	}
	adds, addAll, err := norm(add)
	if err != nil {
		return nil, err
	}
	drops, dropAll, err := norm(drop)
	if err != nil {
		return nil, err
	}
	set := capabilities.DockerDefaults()
	switch {
	case addAll:
		set = all
	case dropAll:
		set = nil
	}
	set = slices.DeleteFunc(set, func(c string) bool { return slices.Contains(drops, c) })
	for _, c := range adds {
		if !slices.Contains(set, c) {
			set = append(set, c)
		}
	}
	return set, nil
}

// allCapabilities lists every capability the running kernel has that the
// daemon may hand on: those in its own bounding set (a daemon without
// CAP_SYS_RESOURCE, say, cannot give it to a container).
func allCapabilities() ([]string, error) {
	caps, err := capability.ListSupported()
	if err != nil {
		return nil, fmt.Errorf("listing the kernel's capabilities: %w", err)
	}
	out := make([]string, 0, len(caps))
	for _, c := range caps {
		if ok, err := capability.GetBound(c); err == nil && !ok {
			continue
		}
		out = append(out, "CAP_"+strings.ToUpper(c.String()))
	}
	return out, nil
}

// securityOptions are the parsed --security-opt values.
type securityOptions struct {
	noNewPrivileges bool
	// seccompUnconfined disables the seccomp filter (seccomp=unconfined).
	seccompUnconfined bool
}

func parseSecurityOpts(opts []string) (securityOptions, error) {
	var o securityOptions
	for _, opt := range opts {
		k, v, hasValue := strings.Cut(opt, "=")
		if !hasValue {
			k, v, hasValue = strings.Cut(opt, ":")
		}
		switch k {
		case "no-new-privileges":
			switch v {
			case "", "true":
				o.noNewPrivileges = true
			case "false":
				o.noNewPrivileges = false
			default:
				return o, fmt.Errorf("security option %q: want no-new-privileges[=true|false]: %w", opt, errdefs.ErrInvalidArgument)
			}
		case "seccomp":
			if v != "unconfined" {
				return o, fmt.Errorf("security option %q: only seccomp=unconfined is supported: %w", opt, errdefs.ErrInvalidArgument)
			}
			o.seccompUnconfined = true
		default:
			return o, fmt.Errorf("unknown security option %q (supported: no-new-privileges, seccomp=unconfined): %w", opt, errdefs.ErrInvalidArgument)
		}
	}
	return o, nil
}

// setCapabilities gives the process caps in its bounding, effective and
// permitted sets (Docker leaves inheritable and ambient empty).
func setCapabilities(p *specs.Process, caps []string) {
	p.Capabilities = &specs.LinuxCapabilities{
		Bounding:  caps,
		Effective: slices.Clone(caps),
		Permitted: slices.Clone(caps),
	}
}
