package container

import (
	"fmt"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// The host-config fields of a create request (Docker's HostConfig: the
// run flags --ulimit, --sysctl, --device, --shm-size, --group-add, --pid,
// --ipc, --uts, --platform and --log-driver) are checked here before
// anything is made, turned into the spec at create (applyHostConfig) and,
// for what depends on other containers or the container's own files,
// completed at each start (startHostConfig, namespaces.go).

// defaultShmSize is Docker's /dev/shm size.
const defaultShmSize = 64 << 20

// invalidf is an ErrInvalidArgument with a message.
func invalidf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, errdefs.ErrInvalidArgument)...)
}

// checkHostConfig validates req's host-config fields against each other
// and the image, and rewrites the container references of PidMode and
// IpcMode to full ids (Docker stores "container:<id>").
func (s *Service) checkHostConfig(req *api.ContainerCreate, img image.Image) error {
	if err := checkPlatform(req.Platform, img); err != nil {
		return err
	}
	if err := checkLogDriver(req.LogDriver); err != nil {
		return err
	}
	for _, u := range req.Ulimits {
		if _, err := rlimit(u); err != nil {
			return err
		}
	}
	if req.ShmSize < 0 {
		return invalidf("shm size %d must not be negative", req.ShmSize)
	}
	for _, g := range req.GroupAdd {
		if err := checkGroupName(g); err != nil {
			return err
		}
	}
	var err error
	if req.PidMode, err = s.namespaceMode("pid", req.PidMode, "host"); err != nil {
		return err
	}
	if req.IpcMode, err = s.namespaceMode("ipc", req.IpcMode, "host", "private", "shareable", "none"); err != nil {
		return err
	}
	if req.UTSMode, err = s.namespaceMode("uts", req.UTSMode, "host"); err != nil {
		return err
	}
	if id, ok := strings.CutPrefix(req.IpcMode, "container:"); ok {
		donor, err := s.lookup(id)
		if err != nil {
			return err
		}
		if r := donor.snapshot(); r.Config.IpcMode != "shareable" {
			return fmt.Errorf("cannot join the IPC namespace of container %s: non-shareable IPC (hint: use --ipc shareable for the donor container): %w", r.Name, errdefs.ErrConflict)
		}
	}
	if req.ShmSize != 0 && !ownShm(req.IpcMode) {
		return invalidf("--shm-size sets the size of the container's own /dev/shm: not with --ipc %s", req.IpcMode)
	}
	if req.UTSMode == "host" && req.Hostname != "" {
		return invalidf("conflicting options: hostname and the UTS mode")
	}
	if req.Userns == "private" {
		for flag, mode := range map[string]string{"--pid": req.PidMode, "--ipc": req.IpcMode, "--uts": req.UTSMode} {
			if mode == "host" {
				return invalidf("%s host and --userns private exclude each other: a private user namespace cannot own the host's namespaces", flag)
			}
		}
	}
	for k, v := range req.Sysctls {
		if err := checkSysctl(k, namespacesOf(*req)); err != nil {
			return err
		}
		if err := checkSysctlValue(k, v); err != nil {
			return err
		}
	}
	for _, d := range req.Devices {
		if _, _, err := device(d); err != nil {
			return err
		}
	}
	return nil
}

// namespaceMode checks a --pid/--ipc/--uts value: "" or one of modes, or
// (pid and ipc) container:NAME, whose name becomes the container's id.
func (s *Service) namespaceMode(kind, mode string, modes ...string) (string, error) {
	if mode == "" || slices.Contains(modes, mode) {
		return mode, nil
	}
	ref, ok := strings.CutPrefix(mode, "container:")
	if !ok || kind == "uts" {
		want := strings.Join(modes, ", ")
		if kind != "uts" {
			want += " or container:NAME"
		}
		return "", invalidf("invalid --%s %q: want %s", kind, mode, want)
	}
	if ref == "" {
		return "", invalidf("invalid --%s %q: no container named", kind, mode)
	}
	e, err := s.lookup(ref)
	if err != nil {
		return "", err
	}
	return "container:" + e.id, nil
}

// ownShm reports whether an IPC mode gives the container a /dev/shm of
// its own.
func ownShm(mode string) bool {
	return mode == "" || mode == "private" || mode == "shareable"
}

// checkPlatform refuses a platform this machine cannot run, and an image
// made for another one when a platform is asked for (as Docker).
func checkPlatform(platform string, img image.Image) error {
	if platform == "" {
		return nil
	}
	osName, arch, _ := strings.Cut(strings.ToLower(platform), "/")
	arch, variant, _ := strings.Cut(arch, "/")
	arch = normalizeArch(arch)
	if osName != "linux" || (arch != "" && arch != runtime.GOARCH) || (variant != "" && runtime.GOARCH != "arm" && runtime.GOARCH != "arm64") {
		return invalidf("platform %q cannot run on this machine (linux/%s)", platform, runtime.GOARCH)
	}
	if got := normalizeArch(img.Config.Architecture); arch != "" && got != "" && got != arch {
		return fmt.Errorf("image %s was found but its platform (%s/%s) does not match the specified platform (%s): %w",
			img.ID, img.Config.OS, img.Config.Architecture, platform, errdefs.ErrConflict)
	}
	return nil
}

// normalizeArch maps the kernel's names of an architecture to Go's
// (OCI's): x86_64 is amd64, aarch64 is arm64.
func normalizeArch(arch string) string {
	switch arch {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return arch
}

// checkLogDriver accepts the drivers the engine has: json-file and local
// are both the container's own bounded log file, none keeps nothing.
func checkLogDriver(driver string) error {
	switch driver {
	case "", "json-file", "local", "none":
		return nil
	}
	return invalidf("no log driver named %q is registered: want json-file, local or none", driver)
}

// checkGroupName accepts a group id or a name that can be one in
// /etc/group (no colon, newline or blank).
func checkGroupName(g string) error {
	if g == "" || strings.ContainsAny(g, ":\n\x00 \t") {
		return invalidf("invalid --group-add %q: want a group name or id", g)
	}
	if isDigits(g) {
		if _, err := strconv.ParseUint(g, 10, 32); err != nil {
			return invalidf("invalid --group-add %q: group id out of range", g)
		}
	}
	return nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// rlimit is u as an OCI rlimit: Docker's names are the RLIMIT_ names in
// lower case without the prefix; -1 is unlimited.
func rlimit(u api.Ulimit) (specs.POSIXRlimit, error) {
	switch u.Name {
	case "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
		"nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack":
	default:
		return specs.POSIXRlimit{}, invalidf("invalid ulimit type: %q", u.Name)
	}
	limit := func(v int64) (uint64, error) {
		if v == -1 {
			return ^uint64(0), nil // RLIM_INFINITY
		}
		if v < 0 {
			return 0, invalidf("invalid ulimit %s: %d is neither a limit nor -1 (unlimited)", u.Name, v)
		}
		return uint64(v), nil
	}
	soft, err := limit(u.Soft)
	if err != nil {
		return specs.POSIXRlimit{}, err
	}
	hard, err := limit(u.Hard)
	if err != nil {
		return specs.POSIXRlimit{}, err
	}
	if soft > hard {
		return specs.POSIXRlimit{}, invalidf("ulimit soft limit must be less than or equal to hard limit: %d > %d", u.Soft, u.Hard)
	}
	return specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(u.Name), Soft: soft, Hard: hard}, nil
}

// containerNamespaces says which namespaces a container owns, for the
// sysctl check: a kernel parameter may only be set in a namespace that
// is the container's own.
type containerNamespaces struct {
	net, ipc, uts bool
}

func namespacesOf(req api.ContainerCreate) containerNamespaces {
	return containerNamespaces{
		net: req.Network != "host" && !strings.HasPrefix(req.Network, "container:"),
		ipc: req.IpcMode != "host" && !strings.HasPrefix(req.IpcMode, "container:"),
		uts: req.UTSMode != "host",
	}
}

// ipcSysctls are the IPC namespace's kernel parameters besides fs.mqueue.*
// (ipc_namespaces(7)), the ones Docker and runc accept.
func isIPCSysctl(key string) bool {
	switch key {
	case "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced":
		return true
	}
	return strings.HasPrefix(key, "fs.mqueue.")
}

// checkSysctl accepts only a namespaced kernel parameter of a namespace
// the container owns, as Docker and runc do. Anything else would be
// written to the host's kernel: kernel.core_pattern, say, names a program
// the host's kernel runs as root on a crash (the CVE-2019-5736 class of
// host writes). The key must also be a plain dotted name, so that it
// cannot name another file under /proc/sys.
func checkSysctl(key string, ns containerNamespaces) error {
	for seg := range strings.SplitSeq(key, ".") {
		if seg == "" || strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			return invalidf("sysctl %q is not a valid kernel parameter name", key)
		}
	}
	switch {
	case key == "kernel.hostname":
		return invalidf("sysctl %q is not allowed: use --hostname", key)
	case key == "kernel.domainname":
		return invalidf("sysctl %q is not allowed: the container's domain name is not configurable", key)
	case strings.HasPrefix(key, "net."):
		if !ns.net {
			return invalidf("sysctl %q is not allowed in the host's network namespace (or another container's)", key)
		}
	case isIPCSysctl(key):
		if !ns.ipc {
			return invalidf("sysctl %q is not allowed in the host's IPC namespace (or another container's)", key)
		}
	default:
		return invalidf("sysctl %q is not allowed: not a namespaced kernel parameter (only net.*, fs.mqueue.* and kernel.msg*, sem, shm* are)", key)
	}
	return nil
}

// device is d as the device nodes the container gets and the cgroup rules
// that allow exactly them with d's permissions. The host path is looked up
// now, at create, as Docker does: a device node (symlinks followed), or a
// directory, whose device nodes (not through its symlinks) all come, each
// at its place under the container path.
func device(d api.DeviceMapping) ([]specs.LinuxDevice, []specs.LinuxDeviceCgroup, error) {
	host := d.PathOnHost
	if !path.IsAbs(host) {
		return nil, nil, invalidf("invalid --device %q: the host path must be absolute", host)
	}
	dest := d.PathInContainer
	if dest == "" {
		dest = host
	}
	if !path.IsAbs(dest) {
		return nil, nil, invalidf("invalid --device %s:%s: the container path must be absolute", host, dest)
	}
	dest = path.Clean(dest)
	if dest == "/" || dest == "/dev" {
		return nil, nil, invalidf("invalid --device %s:%s: the container path must name a file", host, dest)
	}
	perms := d.CgroupPermissions
	if perms == "" {
		perms = "rwm"
	}
	if !validDeviceMode(perms) {
		return nil, nil, invalidf("invalid --device %s: permissions %q: want a combination of r, w and m", host, perms)
	}
	devs, err := mappedDevices(host, dest)
	if err != nil {
		return nil, nil, err
	}
	rules := make([]specs.LinuxDeviceCgroup, len(devs))
	for i, dev := range devs {
		major, minor := dev.Major, dev.Minor
		rules[i] = specs.LinuxDeviceCgroup{Allow: true, Type: dev.Type, Major: &major, Minor: &minor, Access: perms}
	}
	return devs, rules, nil
}

// validDeviceMode: each of r, w, m at most once, at least one.
func validDeviceMode(mode string) bool {
	if mode == "" || len(mode) > 3 {
		return false
	}
	seen := map[rune]bool{}
	for _, c := range mode {
		if !strings.ContainsRune("rwm", c) || seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}

// applyHostConfig puts req's host-config fields into spec, built by
// buildSpec from the runtime's defaults; shmSource is the host directory
// bound over /dev/shm, if any (Service.shmSource).
func applyHostConfig(spec *specs.Spec, req api.ContainerCreate, shmSource string) error {
	p := spec.Process
	for _, u := range req.Ulimits {
		rl, err := rlimit(u)
		if err != nil {
			return err
		}
		p.Rlimits = slices.DeleteFunc(p.Rlimits, func(o specs.POSIXRlimit) bool { return o.Type == rl.Type })
		p.Rlimits = append(p.Rlimits, rl)
	}
	if len(req.Sysctls) > 0 {
		ns := namespacesOf(req)
		spec.Linux.Sysctl = map[string]string{}
		for k, v := range req.Sysctls {
			if err := checkSysctl(k, ns); err != nil {
				return err
			}
			spec.Linux.Sysctl[k] = v
		}
	}
	for _, d := range req.Devices {
		devs, rules, err := device(d)
		if err != nil {
			return err
		}
		spec.Linux.Devices = append(spec.Linux.Devices, devs...)
		spec.Linux.Resources.Devices = append(spec.Linux.Resources.Devices, rules...)
	}
	applyNamespaceModes(spec, req, shmSource)
	return nil
}
