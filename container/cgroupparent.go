package container

import (
	"path"
	"regexp"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
)

// engineCgroup is the cgroup, in every hierarchy, below which the runtime
// puts every container (internal/cgroup's default parent). --cgroup-parent
// names a cgroup below it, never one elsewhere: a container placed in the
// host's cgroups (/system.slice, another container's cgroup, the root)
// would escape the limits and accounting the engine keeps, and its
// removal would tear at cgroups the engine does not own.
const engineCgroup = "/container-runtime"

// cgroupComponent is one directory of a cgroup parent: no leading dot (no
// ".", "..", or hidden names), no ':' (the runtime reads
// "slice:prefix:name" as a systemd path), nothing a shell or the cgroup
// file system treats specially.
var cgroupComponent = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// containerIDLike is a full container id: a parent named so would nest the
// container inside another container's cgroup.
var containerIDLike = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkCgroupConfig checks --cgroup-parent and --cgroupns and stores the
// parent as the path below engineCgroup ("a/b"), as the spec uses it.
func checkCgroupConfig(req *api.ContainerCreate) error {
	switch req.CgroupnsMode {
	case "", "private", "host":
	default:
		return invalidf("invalid --cgroupns %q: want host or private", req.CgroupnsMode)
	}
	parent, err := cgroupParent(req.CgroupParent)
	if err != nil {
		return err
	}
	for _, r := range req.DeviceCgroupRules {
		if _, err := parseDeviceCgroupRule(r); err != nil {
			return err
		}
	}
	req.CgroupParent = parent
	return nil
}

// cgroupParent returns p as a path below engineCgroup, or refuses it.
func cgroupParent(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	if len(p) > 512 {
		return "", invalidf("cgroup parent of %d bytes: at most 512", len(p))
	}
	rel := p
	if strings.HasPrefix(p, "/") {
		var ok bool
		if rel, ok = strings.CutPrefix(p, engineCgroup+"/"); !ok && p != engineCgroup {
			return "", invalidf("cgroup parent %q is outside the engine's cgroup root %s: give a path below it (such as web/backend)", p, engineCgroup)
		}
		if p == engineCgroup {
			rel = ""
		}
	}
	parts := slices.DeleteFunc(strings.Split(rel, "/"), func(s string) bool { return s == "" })
	for _, c := range parts {
		if c == ".." || c == "." {
			return "", invalidf("cgroup parent %q: %q is not allowed: the parent must stay below the engine's cgroup root %s", p, c, engineCgroup)
		}
		if !cgroupComponent.MatchString(c) {
			return "", invalidf("cgroup parent %q: invalid name %q: want letters, digits, '_', '.' and '-', not starting with '.'", p, c)
		}
	}
	if len(parts) > 0 && containerIDLike.MatchString(parts[0]) {
		return "", invalidf("cgroup parent %q: a container's id cannot be a cgroup parent (its cgroup belongs to that container)", p)
	}
	if len(parts) > 16 {
		return "", invalidf("cgroup parent %q is %d levels deep: at most 16", p, len(parts))
	}
	return path.Join(parts...), nil
}

// cgroupsPath is the spec's cgroupsPath of a container: "" (the runtime's
// default, engineCgroup/<id>) without a parent.
func cgroupsPath(cfg api.ContainerCreate, id string) string {
	if cfg.CgroupParent == "" {
		return ""
	}
	return path.Join(engineCgroup, cfg.CgroupParent, id)
}

// applyCgroupConfig puts the cgroup parent, the cgroup namespace mode and
// the device cgroup rules into spec. Without a cgroup namespace the
// runtime binds the container's own cgroup directories at /sys/fs/cgroup,
// so the container still sees no other cgroup.
func applyCgroupConfig(spec *specs.Spec, req api.ContainerCreate, id string) error {
	for _, r := range req.DeviceCgroupRules {
		rule, err := parseDeviceCgroupRule(r) // devicerules.go
		if err != nil {
			return err
		}
		spec.Linux.Resources.Devices = append(spec.Linux.Resources.Devices, rule)
	}
	spec.Linux.CgroupsPath = cgroupsPath(req, id)
	if req.CgroupnsMode == "host" {
		spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool {
			return ns.Type == specs.CgroupNamespace
		})
	}
	return nil
}

// cgroupsPathOf is cgroupsPath of the container id ("" if it is unknown).
func (s *Service) cgroupsPathOf(id string) string {
	e, err := s.lookup(id)
	if err != nil {
		return ""
	}
	return cgroupsPath(e.snapshot().Config, id)
}
