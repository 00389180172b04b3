package runtime

import (
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"

	"github.com/container-runtime/container-runtime/internal/capabilities"
	"github.com/container-runtime/container-runtime/internal/envpath"
	"github.com/container-runtime/container-runtime/internal/rootfs"
)

// DefaultSpec returns the config.json that `container-runtime-oci spec`
// writes: runc's `spec` template with Docker's defaults where the two
// differ (Docker's capability set, its masked paths, a cgroup namespace and
// nosuid/noexec/nodev on /proc). Every call returns a fresh value the
// caller may modify.
func DefaultSpec() *specs.Spec {
	caps := capabilities.DockerDefaults()
	return &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{
			Terminal: true,
			User:     specs.User{UID: 0, GID: 0},
			Args:     []string{"sh"},
			Env: []string{
				"PATH=" + envpath.Default,
				"TERM=xterm",
			},
			Cwd: "/",
			Capabilities: &specs.LinuxCapabilities{
				Bounding:  caps,
				Effective: slices.Clone(caps),
				Permitted: slices.Clone(caps),
			},
			Rlimits: []specs.POSIXRlimit{
				{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024},
			},
			NoNewPrivileges: true,
		},
		Root:     &specs.Root{Path: "rootfs", Readonly: true},
		Hostname: "container",
		Mounts:   rootfs.DefaultMounts(),
		Linux: &specs.Linux{
			Resources: &specs.LinuxResources{
				// Deny every device; the runtime allows the few it creates
				// itself (/dev/null, /dev/zero, the pty devices, ...).
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			},
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace},
				{Type: specs.NetworkNamespace},
				{Type: specs.IPCNamespace},
				{Type: specs.UTSNamespace},
				{Type: specs.MountNamespace},
				{Type: specs.CgroupNamespace},
			},
			MaskedPaths:   rootfs.DockerMaskedPaths(),
			ReadonlyPaths: rootfs.DockerReadonlyPaths(),
		},
	}
}

// The lists below say what this runtime recognises, for Features.
// Validate checks namespaces against supportedNamespaces and capability
// names against capabilities.KnownNames; seccomp configurations are checked by
// internal/seccomp, whose switch statements these lists mirror.

// supportedNamespaces are the namespace types the runtime creates or
// joins. The time namespace is known to the spec but not supported: it
// cannot be requested through clone(2) flags, only unshare(2)/clone3(2).
func supportedNamespaces() []specs.LinuxNamespaceType {
	return []specs.LinuxNamespaceType{
		specs.CgroupNamespace,
		specs.IPCNamespace,
		specs.MountNamespace,
		specs.NetworkNamespace,
		specs.PIDNamespace,
		specs.UserNamespace,
		specs.UTSNamespace,
	}
}

// supportedHooks are the OCI hook names the runtime runs.
func supportedHooks() []string {
	return []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
}

// supportedMountOptions are the mount(2) flags and propagation options
// the runtime understands, as runc lists them. Anything else in a mount's
// options is passed to the file system as data.
func supportedMountOptions() []string {
	return []string{
		"acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync",
		"exec", "iversion", "lazytime", "loud", "mand", "noacl", "noatime", "nodev",
		"nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
		"nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind",
		"rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev",
		"rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid",
		"rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared",
		"rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw",
		"shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
		"tmpcopyup", "unbindable",
	}
}

// seccompActions are the filter actions internal/seccomp installs.
// SCMP_ACT_NOTIFY is left out: it needs a seccomp agent to hand the
// listener fd to, which the runtime does not do.
func seccompActions() []string {
	return []string{
		string(specs.ActAllow), string(specs.ActErrno), string(specs.ActKill),
		string(specs.ActKillProcess), string(specs.ActKillThread), string(specs.ActLog),
		string(specs.ActTrace), string(specs.ActTrap),
	}
}

// seccompOperators are the argument comparisons of the spec.
func seccompOperators() []string {
	return []string{
		string(specs.OpEqualTo), string(specs.OpGreaterEqual), string(specs.OpGreaterThan),
		string(specs.OpLessEqual), string(specs.OpLessThan), string(specs.OpMaskedEqual),
		string(specs.OpNotEqual),
	}
}

// seccompArchs are the architectures internal/seccomp can add to a
// filter.
func seccompArchs() []string {
	return []string{
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
		"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
		"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
		"SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
		"SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
		"SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
	}
}

// seccompKnownFlags are the seccomp(2) filter flags the spec names;
// seccompSupportedFlags those internal/seccomp applies (WAIT_KILLABLE_RECV
// only matters to a notify listener, which is not supported).
func seccompKnownFlags() []string {
	return []string{
		string(specs.LinuxSeccompFlagLog),
		string(specs.LinuxSeccompFlagSpecAllow),
		string(specs.LinuxSeccompFlagWaitKillableRecv),
	}
}

func seccompSupportedFlags() []string {
	return []string{
		string(specs.LinuxSeccompFlagLog),
		string(specs.LinuxSeccompFlagSpecAllow),
	}
}

// Features describes what this runtime supports, for the `features`
// command (runtime-spec features.md). Nil members mean "unknown"; false
// means "known to be unsupported".
func Features() *features.Features {
	yes, no := true, false
	namespaces := make([]string, 0, len(supportedNamespaces()))
	for _, ns := range supportedNamespaces() {
		namespaces = append(namespaces, string(ns))
	}
	return &features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         supportedHooks(),
		MountOptions:  supportedMountOptions(),
		Linux: &features.Linux{
			Namespaces:   namespaces,
			Capabilities: capabilities.KnownNames(),
			Cgroup: &features.Cgroup{
				V1:          &yes,
				V2:          &yes,
				Systemd:     &no,
				SystemdUser: &no,
				Rdma:        &no,
			},
			Seccomp: &features.Seccomp{
				Enabled:        &yes,
				Actions:        seccompActions(),
				Operators:      seccompOperators(),
				Archs:          seccompArchs(),
				KnownFlags:     seccompKnownFlags(),
				SupportedFlags: seccompSupportedFlags(),
			},
			Apparmor:        &features.Apparmor{Enabled: &no},
			Selinux:         &features.Selinux{Enabled: &no},
			IntelRdt:        &features.IntelRdt{Enabled: &no},
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: &no}},
			NetDevices:      &features.NetDevices{Enabled: &no},
		},
	}
}
