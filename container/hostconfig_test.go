package container

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	crtruntime "github.com/container-runtime/container-runtime/runtime"
)

func TestCheckSysctl(t *testing.T) {
	own := containerNamespaces{net: true, ipc: true, uts: true}
	hostNet := containerNamespaces{ipc: true, uts: true}
	hostIPC := containerNamespaces{net: true, uts: true}
	for _, tc := range []struct {
		key  string
		ns   containerNamespaces
		want string // "" accepted, else part of the error
	}{
		{"net.ipv4.ip_forward", own, ""},
		{"net.ipv4.conf.eth0.forwarding", own, ""},
		{"net.ipv4.ping_group_range", own, ""},
		{"kernel.shmmax", own, ""},
		{"kernel.shm_rmid_forced", own, ""},
		{"kernel.msgmnb", own, ""},
		{"kernel.sem", own, ""},
		{"fs.mqueue.msg_max", own, ""},
		{"net.ipv4.ip_forward", hostNet, "host's network namespace"},
		{"kernel.shmmax", hostIPC, "host's IPC namespace"},
		{"fs.mqueue.msg_max", hostIPC, "host's IPC namespace"},
		{"kernel.hostname", own, "use --hostname"},
		{"kernel.domainname", own, "not allowed"},
		{"kernel.core_pattern", own, "not a namespaced kernel parameter"},
		{"kernel.modprobe", own, "not a namespaced kernel parameter"},
		{"vm.swappiness", own, "not a namespaced kernel parameter"},
		{"fs.mqueue", own, "not a namespaced kernel parameter"},
		{"kernel.shmmax2", own, "not a namespaced kernel parameter"},
		{"net", own, "not a namespaced kernel parameter"},
		{"net..x", own, "not a valid kernel parameter name"},
		{"net.ipv4/../../kernel/core_pattern", own, "not a valid kernel parameter name"},
		{"net.", own, "not a valid kernel parameter name"},
		{"", own, "not a valid kernel parameter name"},
	} {
		err := checkSysctl(tc.key, tc.ns)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("checkSysctl(%q): %v", tc.key, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, errdefs.ErrInvalidArgument)):
			t.Errorf("checkSysctl(%q): want an invalid-argument error with %q, got %v", tc.key, tc.want, err)
		}
	}
}

func TestRlimit(t *testing.T) {
	got, err := rlimit(api.Ulimit{Name: "nofile", Soft: 10, Hard: -1})
	if err != nil || got != (specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 10, Hard: ^uint64(0)}) {
		t.Errorf("rlimit nofile=10:-1 = %+v, %v", got, err)
	}
	for _, bad := range []api.Ulimit{{Name: "bogus", Soft: 1, Hard: 1}, {Name: "NOFILE", Soft: 1, Hard: 1},
		{Name: "nofile", Soft: 2, Hard: 1}, {Name: "nofile", Soft: -2, Hard: 1}, {Name: "nofile", Soft: -1, Hard: 5}} {
		if _, err := rlimit(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("rlimit(%+v): want an invalid argument, got %v", bad, err)
		}
	}
}

func TestCheckPlatform(t *testing.T) {
	img := image.Image{ID: "sha256:x", Config: ocispec.Image{Platform: ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}}}
	for _, ok := range []string{"", "linux", "linux/" + runtime.GOARCH, "LINUX/" + strings.ToUpper(runtime.GOARCH)} {
		if err := checkPlatform(ok, img); err != nil {
			t.Errorf("checkPlatform(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"windows", "windows/amd64", "linux/s390x-nope", "darwin/" + runtime.GOARCH} {
		if err := checkPlatform(bad, img); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("checkPlatform(%q): want an invalid argument, got %v", bad, err)
		}
	}
	other := img
	other.Config.Architecture = "riscv64"
	if runtime.GOARCH == "riscv64" {
		other.Config.Architecture = "amd64"
	}
	if err := checkPlatform("linux/"+runtime.GOARCH, other); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("an image of another architecture: want a conflict, got %v", err)
	}
}

func TestApplyHostConfig(t *testing.T) {
	spec := crtruntime.DefaultSpec()
	req := api.ContainerCreate{
		Ulimits:  []api.Ulimit{{Name: "nofile", Soft: 100, Hard: 200}, {Name: "core", Soft: 0, Hard: 0}},
		Sysctls:  map[string]string{"net.ipv4.ip_forward": "1"},
		Devices:  []api.DeviceMapping{{PathOnHost: "/dev/null", PathInContainer: "/dev/mynull", CgroupPermissions: "r"}},
		ShmSize:  1 << 20,
		PidMode:  "host",
		UTSMode:  "host",
		GroupAdd: []string{"5"},
	}
	spec.Hostname = "x"
	if err := applyHostConfig(spec, req, ""); err != nil {
		t.Fatal(err)
	}
	if n := slices.IndexFunc(spec.Process.Rlimits, func(r specs.POSIXRlimit) bool { return r.Type == "RLIMIT_NOFILE" }); n < 0 || spec.Process.Rlimits[n].Soft != 100 || len(spec.Process.Rlimits) != 2 {
		t.Errorf("rlimits: %+v", spec.Process.Rlimits)
	}
	if spec.Linux.Sysctl["net.ipv4.ip_forward"] != "1" {
		t.Errorf("sysctls: %v", spec.Linux.Sysctl)
	}
	if len(spec.Linux.Devices) != 1 || spec.Linux.Devices[0].Path != "/dev/mynull" || spec.Linux.Devices[0].Major != 1 || spec.Linux.Devices[0].Minor != 3 {
		t.Errorf("devices: %+v", spec.Linux.Devices)
	}
	last := spec.Linux.Resources.Devices[len(spec.Linux.Resources.Devices)-1]
	if !last.Allow || last.Type != "c" || *last.Major != 1 || *last.Minor != 3 || last.Access != "r" {
		t.Errorf("device rule: %+v", last)
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.PIDNamespace || ns.Type == specs.UTSNamespace {
			t.Errorf("namespace %s kept with host mode", ns.Type)
		}
	}
	if spec.Hostname != "" {
		t.Errorf("--uts host kept hostname %q: the runtime would rename the host", spec.Hostname)
	}
	i := slices.IndexFunc(spec.Mounts, func(m specs.Mount) bool { return m.Destination == "/dev/shm" })
	if i < 0 || !slices.Contains(spec.Mounts[i].Options, "size=1048576") || slices.Contains(spec.Mounts[i].Options, "size=65536k") {
		t.Errorf("/dev/shm: %+v", spec.Mounts[i])
	}

	for mode, check := range map[string]func(specs.Mount, bool) bool{
		"none":      func(_ specs.Mount, found bool) bool { return !found },
		"host":      func(m specs.Mount, found bool) bool { return found && m.Type == "bind" && m.Source == "/dev/shm" },
		"shareable": func(m specs.Mount, found bool) bool { return found && m.Type == "bind" && m.Source == "/shm" },
	} {
		spec := crtruntime.DefaultSpec()
		src := map[string]string{"host": "/dev/shm", "shareable": "/shm"}[mode]
		if err := applyHostConfig(spec, api.ContainerCreate{IpcMode: mode}, src); err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(spec.Mounts, func(m specs.Mount) bool { return m.Destination == "/dev/shm" })
		var m specs.Mount
		if i >= 0 {
			m = spec.Mounts[i]
		}
		if !check(m, i >= 0) {
			t.Errorf("--ipc %s: /dev/shm %+v", mode, m)
		}
	}
}

func TestDeviceRefusals(t *testing.T) {
	for _, d := range []api.DeviceMapping{
		{PathOnHost: "dev/null"},
		{PathOnHost: "/dev/null", PathInContainer: "null"},
		{PathOnHost: "/dev/null", PathInContainer: "/dev"},
		{PathOnHost: "/dev/null", CgroupPermissions: "rwx"},
		{PathOnHost: "/etc/hostname"},
		{PathOnHost: "/no/such/device"},
	} {
		if _, _, err := device(d); err == nil {
			t.Errorf("device(%+v): want an error", d)
		}
	}
}
