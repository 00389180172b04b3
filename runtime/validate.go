package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/capabilities"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/internal/seccomp"
)

// Every error of this file names the config.json field at fault with its
// JSON path ("linux.namespaces[3].type") and wraps
// errdefs.ErrInvalidArgument. Validate stops at the first section with a
// problem; within linux.resources, internal/cgroup reports them all.

// invalidf returns an ErrInvalidArgument error with the given message.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), errdefs.ErrInvalidArgument)
}

// maxIDLength bounds container ids; the id becomes a directory name and
// appears in cgroup paths.
const maxIDLength = 1024

// ValidateID checks that id can name a container: non-empty, at most 1024
// bytes of [A-Za-z0-9_.+-], and not "." or "..". The id is used as a
// directory name under the state root, so anything that could walk out of
// it is refused.
func ValidateID(id string) error {
	switch {
	case id == "":
		return invalidf("container id is empty")
	case len(id) > maxIDLength:
		return invalidf("container id is %d bytes long; at most %d are allowed", len(id), maxIDLength)
	case id == "." || id == "..":
		return invalidf("container id %q is not allowed", id)
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == '+' || c == '-'
		if !ok {
			return invalidf("container id %q contains %q; only [A-Za-z0-9_.+-] are allowed", id, c)
		}
	}
	return nil
}

// LoadBundle reads bundle/config.json. Unknown fields are accepted, as
// the runtime specification requires; a syntax error or a value of the
// wrong type is reported with its line and column. The spec is not
// validated: call Validate.
func LoadBundle(bundle string) (*specs.Spec, error) {
	path := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, invalidf("bundle %s: config.json not found", bundle)
	}
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w: %w", bundle, err, errdefs.ErrInvalidArgument)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("bundle %s: %w", bundle, jsonError("config.json", data, err))
	}
	return &spec, nil
}

// jsonError turns a decoding error into "name:line:col: what", tagged
// ErrInvalidArgument.
func jsonError(name string, data []byte, err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntaxErr):
		line, col := lineCol(data, syntaxErr.Offset)
		return invalidf("%s:%d:%d: %s", name, line, col, syntaxErr.Error())
	case errors.As(err, &typeErr):
		line, col := lineCol(data, typeErr.Offset)
		field := typeErr.Field
		if field == "" {
			field = "(top level)"
		}
		return invalidf("%s:%d:%d: %s: JSON %s cannot be a %s", name, line, col, field, typeErr.Value, typeErr.Type)
	default:
		return invalidf("%s: %s", name, err.Error())
	}
}

// lineCol converts the offset of a json error, which counts the bytes
// read up to and including the offending one, into the 1-based line and
// column of that byte.
func lineCol(data []byte, offset int64) (line, col int) {
	offset = min(max(offset-1, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Validate checks spec before a container is created from bundle:
// everything that can be known wrong without touching the system, so that
// create fails early, with the field's name, and leaves nothing behind.
// Relative paths (root.path) are resolved against bundle.
func Validate(spec *specs.Spec, bundle string) error {
	if spec == nil {
		return invalidf("config.json is empty")
	}
	checks := []func() error{
		func() error { return validateVersion(spec.Version) },
		func() error { return validateRoot(spec.Root, bundle) },
		func() error {
			if spec.Process == nil {
				return invalidf("process is missing; it is required to create a container")
			}
			return ValidateProcess(spec.Process)
		},
		func() error { return validateMounts(spec.Mounts) },
		func() error { return validateHooks(spec.Hooks) },
		func() error { return validateLinux(spec) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// validateVersion accepts any 1.x version: the 1.x specs only add fields.
func validateVersion(v string) error {
	if v == "" {
		return invalidf("ociVersion is missing")
	}
	major, _, _ := strings.Cut(v, ".")
	if major != "1" {
		return invalidf("ociVersion %q is not supported; want 1.x", v)
	}
	return nil
}

func validateRoot(root *specs.Root, bundle string) error {
	if root == nil || root.Path == "" {
		return invalidf("root.path is missing")
	}
	path := root.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(bundle, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("root.path %q: %w: %w", root.Path, err, errdefs.ErrInvalidArgument)
	}
	if !fi.IsDir() {
		return invalidf("root.path %q: %s is not a directory", root.Path, path)
	}
	return nil
}

// ValidateProcess checks a process of config.json or of `exec --process`.
func ValidateProcess(p *specs.Process) error {
	if len(p.Args) == 0 {
		return invalidf("process.args is empty")
	}
	if p.Cwd == "" || !filepath.IsAbs(p.Cwd) {
		return invalidf("process.cwd %q is not an absolute path", p.Cwd)
	}
	if err := capabilities.ValidateNames(p.Capabilities); err != nil {
		return err
	}
	if err := validateRlimits(p.Rlimits); err != nil {
		return err
	}
	if p.OOMScoreAdj != nil && (*p.OOMScoreAdj < -1000 || *p.OOMScoreAdj > 1000) {
		return invalidf("process.oomScoreAdj %d is outside [-1000, 1000]", *p.OOMScoreAdj)
	}
	if p.ApparmorProfile != "" {
		return invalidf("process.apparmorProfile: AppArmor is not supported")
	}
	if p.SelinuxLabel != "" {
		return invalidf("process.selinuxLabel: SELinux is not supported")
	}
	return nil
}

// rlimitTypes are the setrlimit(2) resources.
func rlimitTypes() []string {
	return []string{
		"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE",
		"RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
		"RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_RTPRIO",
		"RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
	}
}

func validateRlimits(rlimits []specs.POSIXRlimit) error {
	seen := map[string]bool{}
	for i, rl := range rlimits {
		if !slices.Contains(rlimitTypes(), rl.Type) {
			return invalidf("process.rlimits[%d].type %q is unknown", i, rl.Type)
		}
		if seen[rl.Type] {
			return invalidf("process.rlimits[%d].type %q appears twice", i, rl.Type)
		}
		seen[rl.Type] = true
		if rl.Soft > rl.Hard {
			return invalidf("process.rlimits[%d] (%s): soft limit %d is above hard limit %d", i, rl.Type, rl.Soft, rl.Hard)
		}
	}
	return nil
}

func validateMounts(mounts []specs.Mount) error {
	for i, m := range mounts {
		if !filepath.IsAbs(m.Destination) {
			return invalidf("mounts[%d].destination %q is not an absolute path", i, m.Destination)
		}
		isBind := m.Type == "bind" || slices.Contains(m.Options, "bind") || slices.Contains(m.Options, "rbind")
		if isBind && m.Source == "" {
			return invalidf("mounts[%d].source is empty for a bind mount of %s", i, m.Destination)
		}
	}
	return nil
}

func validateHooks(h *specs.Hooks) error {
	if h == nil {
		return nil
	}
	kinds := []struct {
		name  string
		hooks []specs.Hook
	}{
		{"prestart", h.Prestart}, {"createRuntime", h.CreateRuntime},
		{"createContainer", h.CreateContainer}, {"startContainer", h.StartContainer},
		{"poststart", h.Poststart}, {"poststop", h.Poststop},
	}
	for _, kind := range kinds {
		for i, hook := range kind.hooks {
			if !filepath.IsAbs(hook.Path) {
				return invalidf("hooks.%s[%d].path %q is not an absolute path", kind.name, i, hook.Path)
			}
			if hook.Timeout != nil && *hook.Timeout <= 0 {
				return invalidf("hooks.%s[%d].timeout %d is not positive", kind.name, i, *hook.Timeout)
			}
		}
	}
	return nil
}

// validateLinux checks the linux object and the top-level fields that
// depend on it (hostname and domainname need a UTS namespace).
func validateLinux(spec *specs.Spec) error {
	l := spec.Linux
	if l == nil {
		l = &specs.Linux{}
	}
	if err := validateNamespaces(l); err != nil {
		return err
	}
	hasUTS := slices.ContainsFunc(l.Namespaces, func(ns specs.LinuxNamespace) bool {
		return ns.Type == specs.UTSNamespace
	})
	if spec.Hostname != "" && !hasUTS {
		return invalidf("hostname %q needs a UTS namespace; linux.namespaces has none", spec.Hostname)
	}
	if spec.Domainname != "" && !hasUTS {
		return invalidf("domainname %q needs a UTS namespace; linux.namespaces has none", spec.Domainname)
	}
	if err := validateDevices(l.Devices); err != nil {
		return err
	}
	if err := validateSysctls(spec, l); err != nil {
		return err
	}
	if err := validateResources(l.Resources); err != nil {
		return err
	}
	if l.Seccomp != nil {
		if err := validateSeccomp(l.Seccomp); err != nil {
			return err
		}
	}
	return nil
}

func validateNamespaces(l *specs.Linux) error {
	seen := map[specs.LinuxNamespaceType]int{}
	for i, ns := range l.Namespaces {
		field := fmt.Sprintf("linux.namespaces[%d]", i)
		if !slices.Contains(supportedNamespaces(), ns.Type) {
			if ns.Type == specs.TimeNamespace {
				return invalidf("%s.type %q is not supported", field, ns.Type)
			}
			return invalidf("%s.type %q is unknown", field, ns.Type)
		}
		if j, dup := seen[ns.Type]; dup {
			return invalidf("%s.type %q duplicates linux.namespaces[%d]", field, ns.Type, j)
		}
		seen[ns.Type] = i
		if ns.Path != "" && !filepath.IsAbs(ns.Path) {
			return invalidf("%s.path %q is not an absolute path", field, ns.Path)
		}
	}
	i, hasUser := seen[specs.UserNamespace]
	joinsUser := hasUser && l.Namespaces[i].Path != ""
	switch {
	case !hasUser && (len(l.UIDMappings) > 0 || len(l.GIDMappings) > 0):
		return invalidf("linux.uidMappings/gidMappings are set but linux.namespaces has no user namespace")
	case hasUser && !joinsUser && len(l.UIDMappings) == 0:
		return invalidf("linux.uidMappings is empty; a new user namespace needs one")
	case hasUser && !joinsUser && len(l.GIDMappings) == 0:
		return invalidf("linux.gidMappings is empty; a new user namespace needs one")
	}
	if err := validateIDMappings("linux.uidMappings", l.UIDMappings); err != nil {
		return err
	}
	return validateIDMappings("linux.gidMappings", l.GIDMappings)
}

// validateIDMappings rejects what the kernel would refuse when the map is
// written: empty ranges, ranges past 2^32 and overlapping ranges.
func validateIDMappings(field string, maps []specs.LinuxIDMapping) error {
	const limit = uint64(math.MaxUint32) + 1
	for i, m := range maps {
		if m.Size == 0 {
			return invalidf("%s[%d].size is 0", field, i)
		}
		if uint64(m.ContainerID)+uint64(m.Size) > limit {
			return invalidf("%s[%d]: containerID %d + size %d overflows 32 bits", field, i, m.ContainerID, m.Size)
		}
		if uint64(m.HostID)+uint64(m.Size) > limit {
			return invalidf("%s[%d]: hostID %d + size %d overflows 32 bits", field, i, m.HostID, m.Size)
		}
		for j, o := range maps[:i] {
			if overlap(m.ContainerID, o.ContainerID, m.Size, o.Size) {
				return invalidf("%s[%d]: container range overlaps %s[%d]", field, i, field, j)
			}
			if overlap(m.HostID, o.HostID, m.Size, o.Size) {
				return invalidf("%s[%d]: host range overlaps %s[%d]", field, i, field, j)
			}
		}
	}
	return nil
}

// overlap reports whether [a, a+na) and [b, b+nb) intersect.
func overlap(a, b, na, nb uint32) bool {
	return uint64(a) < uint64(b)+uint64(nb) && uint64(b) < uint64(a)+uint64(na)
}

func validateDevices(devices []specs.LinuxDevice) error {
	for i, d := range devices {
		if !filepath.IsAbs(d.Path) {
			return invalidf("linux.devices[%d].path %q is not an absolute path", i, d.Path)
		}
		if !slices.Contains([]string{"c", "b", "u", "p"}, d.Type) {
			return invalidf("linux.devices[%d].type %q is not one of c, b, u, p", i, d.Type)
		}
	}
	return nil
}

// validateResources delegates to the cgroup package, which knows what
// each cgroup version accepts. Its error names the field
// ("linux.resources.memory.limit: ...") and lists every problem.
func validateResources(r *specs.LinuxResources) error {
	return cgroup.Validate(r)
}

// validateSeccomp delegates to the seccomp package, which builds the
// filter with libseccomp (without loading it) and so checks names of
// actions, architectures, operators and flags the way create will use
// them. Its errors start "seccomp: <field>:"; the prefix makes the field
// path complete.
func validateSeccomp(s *specs.LinuxSeccomp) error {
	if err := seccomp.Validate(s); err != nil {
		return fmt.Errorf("linux.%w", err)
	}
	return nil
}
