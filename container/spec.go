package container

import (
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/seccomp"
	"github.com/container-runtime/container-runtime/runtime"
)

// specInput is what buildSpec needs besides the request.
type specInput struct {
	id       string
	rootfs   string
	hostname string
	image    image.Image
	args     []string
	// etcFiles are the per-container files bound over /etc/<name>.
	etcFiles map[string]string
	// usernsHostID is the start of the container's host id range
	// (--userns private).
	usernsHostID uint32
	// shmSource is the host directory bound over /dev/shm (--ipc
	// shareable, host or container:ID), or "".
	shmSource string
}

// buildSpec makes the OCI spec of a container: the runtime's Docker-like
// defaults, the image's config, then the request. The user is resolved
// at each start (resolveUser), when the root file system is mounted.
func buildSpec(req api.ContainerCreate, in specInput) (*specs.Spec, error) {
	spec := runtime.DefaultSpec()
	spec.Root = &specs.Root{Path: in.rootfs, Readonly: req.ReadOnly}
	spec.Hostname = in.hostname
	spec.Annotations = map[string]string{"org.container-runtime.image": req.Image}

	ic := in.image.Config.Config
	p := spec.Process
	p.Terminal = req.Tty
	p.Args = in.args
	extra := []string{"HOSTNAME=" + in.hostname}
	if req.Tty {
		extra = append(extra, "TERM=xterm")
	}
	env, err := mergeEnv(ic.Env, req.Env, extra...)
	if err != nil {
		return nil, err
	}
	p.Env = env
	p.Cwd = ic.WorkingDir
	if req.WorkingDir != "" {
		p.Cwd = req.WorkingDir
	}
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	if p.Cwd[0] != '/' {
		return nil, fmt.Errorf("working directory %q must be absolute: %w", p.Cwd, errdefs.ErrInvalidArgument)
	}

	sec, err := parseSecurityOpts(req.SecurityOpt)
	if err != nil {
		return nil, err
	}
	// Docker's default: setuid programs work unless asked otherwise.
	p.NoNewPrivileges = sec.noNewPrivileges
	caps, err := capabilitySet(req.CapAdd, req.CapDrop)
	if err != nil {
		return nil, err
	}
	if req.Privileged {
		if caps, err = allCapabilities(); err != nil {
			return nil, err
		}
	}
	setCapabilities(p, caps)

	if err := applyResources(spec, req.Resources); err != nil {
		return nil, err
	}
	mounts, err := userMounts(req.Mounts)
	if err != nil {
		return nil, err
	}
	for _, name := range etcNames {
		dest := "/etc/" + name
		if slices.ContainsFunc(mounts, func(m specs.Mount) bool { return m.Destination == dest }) {
			continue // the user's own file wins
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{
			Destination: dest, Type: "bind", Source: in.etcFiles[name],
			Options: []string{"rbind", "rprivate", "nosuid", "nodev", "noexec"},
		})
	}
	spec.Mounts = append(spec.Mounts, mounts...)

	if req.Privileged {
		privileged(spec)
	} else if !sec.seccompUnconfined {
		sc, err := seccomp.Default(spec)
		if err != nil {
			return nil, err
		}
		spec.Linux.Seccomp = sc
	}

	switch req.Userns {
	case "", "host":
	case "private":
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		if in.usernsHostID == 0 {
			return nil, fmt.Errorf("user namespace mode private: no host id range allocated")
		}
		m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: in.usernsHostID, Size: usernsSize}}
		spec.Linux.UIDMappings, spec.Linux.GIDMappings = m, slices.Clone(m)
	default:
		return nil, fmt.Errorf("user namespace mode %q: want host or private: %w", req.Userns, errdefs.ErrInvalidArgument)
	}

	if err := applyHostConfig(spec, req, in.shmSource); err != nil {
		return nil, err
	}
	if err := applyCgroupConfig(spec, req, in.id); err != nil { // cgroupparent.go
		return nil, err
	}
	spec.Domainname = req.Domainname // checked by checkNames (dnsflags.go)

	hooks, err := ociHooks(req.Hooks)
	if err != nil {
		return nil, err
	}
	spec.Hooks = hooks
	return spec, nil
}

// privileged lifts the confinement, as docker run --privileged: every
// capability (set by the caller), no seccomp filter, no masked or
// read-only paths, writable /sys and cgroup tree, and every device.
func privileged(spec *specs.Spec) {
	spec.Linux.Seccomp = nil
	spec.Linux.MaskedPaths = nil
	spec.Linux.ReadonlyPaths = nil
	spec.Process.NoNewPrivileges = false
	for i, m := range spec.Mounts {
		if m.Type == "sysfs" || m.Type == "cgroup" {
			spec.Mounts[i].Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "ro" })
		}
	}
	spec.Linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
	spec.Linux.Devices = hostDevices()
}

// ociHooks turns the request's hooks into OCI hooks. Stage "start" is
// poststart and "exit" is poststop; OCI hook names are taken as they are.
func ociHooks(in []api.Hook) (*specs.Hooks, error) {
	if len(in) == 0 {
		return nil, nil
	}
	h := &specs.Hooks{}
	for _, hk := range in {
		// hk.Args are the arguments after the program; OCI's args[0]
		// is the program's name.
		oh := specs.Hook{Path: hk.Path, Args: append([]string{hk.Path}, hk.Args...), Env: hk.Env, Timeout: hk.Timeout}
		if len(hk.Path) == 0 || hk.Path[0] != '/' {
			return nil, fmt.Errorf("hook path %q must be absolute: %w", hk.Path, errdefs.ErrInvalidArgument)
		}
		switch hk.Stage {
		case "start", "poststart":
			h.Poststart = append(h.Poststart, oh)
		case "exit", "poststop":
			h.Poststop = append(h.Poststop, oh)
		case "prestart":
			h.Prestart = append(h.Prestart, oh) //nolint:staticcheck // still part of the spec
		case "createRuntime":
			h.CreateRuntime = append(h.CreateRuntime, oh)
		case "createContainer":
			h.CreateContainer = append(h.CreateContainer, oh)
		case "startContainer":
			h.StartContainer = append(h.StartContainer, oh)
		default:
			return nil, fmt.Errorf("hook stage %q: want start, exit or an OCI hook name: %w", hk.Stage, errdefs.ErrInvalidArgument)
		}
	}
	return h, nil
}
