package runtime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
)

func TestDefaultSpecValidates(t *testing.T) {
	bundle := t.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Validate(DefaultSpec(), bundle); err != nil {
		t.Fatalf("DefaultSpec does not pass Validate: %v", err)
	}
}

func TestDefaultSpecContents(t *testing.T) {
	s := DefaultSpec()
	if s.Version != specs.Version {
		t.Errorf("ociVersion = %q, want %q", s.Version, specs.Version)
	}
	p := s.Process
	if !p.Terminal || !slices.Equal(p.Args, []string{"sh"}) || p.Cwd != "/" || !p.NoNewPrivileges {
		t.Errorf("process = %+v, want terminal sh in / with noNewPrivileges", p)
	}
	if !slices.Contains(p.Env, "TERM=xterm") {
		t.Errorf("process.env = %q, want TERM=xterm", p.Env)
	}
	if len(p.Capabilities.Bounding) != 14 || len(p.Capabilities.Inheritable) != 0 || len(p.Capabilities.Ambient) != 0 {
		t.Errorf("capabilities = %+v, want Docker's 14 and no inheritable/ambient", p.Capabilities)
	}
	if !slices.Equal(p.Capabilities.Bounding, p.Capabilities.Effective) || !slices.Equal(p.Capabilities.Bounding, p.Capabilities.Permitted) {
		t.Errorf("bounding, effective and permitted differ: %+v", p.Capabilities)
	}
	if want := []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}}; !reflect.DeepEqual(p.Rlimits, want) {
		t.Errorf("rlimits = %+v, want %+v", p.Rlimits, want)
	}
	if s.Root.Path != "rootfs" || !s.Root.Readonly {
		t.Errorf("root = %+v, want read-only rootfs", s.Root)
	}
	var types []specs.LinuxNamespaceType
	for _, ns := range s.Linux.Namespaces {
		types = append(types, ns.Type)
	}
	wantNS := []specs.LinuxNamespaceType{"pid", "network", "ipc", "uts", "mount", "cgroup"}
	if !slices.Equal(types, wantNS) {
		t.Errorf("namespaces = %q, want %q", types, wantNS)
	}
	if d := s.Linux.Resources.Devices; len(d) != 1 || d[0].Allow || d[0].Access != "rwm" {
		t.Errorf("resources.devices = %+v, want deny-all rwm", d)
	}
	if !slices.Contains(s.Linux.MaskedPaths, "/proc/kcore") || !slices.Contains(s.Linux.ReadonlyPaths, "/proc/sys") {
		t.Errorf("masked %q / readonly %q lack Docker's defaults", s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
	}
	var dests []string
	for _, m := range s.Mounts {
		dests = append(dests, m.Destination)
	}
	for _, want := range []string{"/proc", "/dev", "/dev/pts", "/dev/shm", "/sys"} {
		if !slices.Contains(dests, want) {
			t.Errorf("mounts %q lack %s", dests, want)
		}
	}
}

func TestDefaultSpecIsFresh(t *testing.T) {
	a := DefaultSpec()
	a.Process.Capabilities.Bounding[0] = "CAP_SYS_ADMIN"
	a.Mounts[0].Options[0] = "changed"
	b := DefaultSpec()
	if b.Process.Capabilities.Bounding[0] == "CAP_SYS_ADMIN" || b.Mounts[0].Options[0] == "changed" {
		t.Fatal("DefaultSpec shares slices between calls")
	}
	if a.Process.Capabilities.Effective[0] == "CAP_SYS_ADMIN" {
		t.Fatal("bounding and effective share a backing array")
	}
}

func TestDefaultSpecJSONRoundTrip(t *testing.T) {
	want := DefaultSpec()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var got specs.Spec
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, want) {
		t.Fatalf("round trip changed the spec:\n got %+v\nwant %+v", &got, want)
	}
}

func TestFeatures(t *testing.T) {
	f := Features()
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got features.Features
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.OCIVersionMax != specs.Version || got.OCIVersionMin == "" {
		t.Errorf("versions = %q..%q", got.OCIVersionMin, got.OCIVersionMax)
	}
	if got.Linux == nil || got.Linux.Cgroup == nil || got.Linux.Seccomp == nil {
		t.Fatalf("features lack linux/cgroup/seccomp: %s", data)
	}
	if !*got.Linux.Cgroup.V1 || !*got.Linux.Cgroup.V2 || *got.Linux.Apparmor.Enabled || *got.Linux.Selinux.Enabled {
		t.Errorf("cgroup v1/v2 must be true and apparmor/selinux false: %s", data)
	}
	// Everything the default spec uses is reported as supported.
	spec := DefaultSpec()
	for _, ns := range spec.Linux.Namespaces {
		if !slices.Contains(got.Linux.Namespaces, string(ns.Type)) {
			t.Errorf("namespace %q of the default spec is not in features", ns.Type)
		}
	}
	for _, c := range spec.Process.Capabilities.Bounding {
		if !slices.Contains(got.Linux.Capabilities, c) {
			t.Errorf("capability %q of the default spec is not in features", c)
		}
	}
	if !slices.Contains(got.Hooks, "createRuntime") || !slices.Contains(got.MountOptions, "rbind") {
		t.Errorf("hooks %q / mount options %q incomplete", got.Hooks, got.MountOptions)
	}
	for _, a := range []string{"SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW"} {
		if !slices.Contains(got.Linux.Seccomp.Actions, a) {
			t.Errorf("seccomp actions %q lack %s", got.Linux.Seccomp.Actions, a)
		}
	}
	if !slices.Contains(got.Linux.Seccomp.Archs, "SCMP_ARCH_X86_64") {
		t.Errorf("seccomp archs %q lack x86_64", got.Linux.Seccomp.Archs)
	}
}
