package runtime

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// newBundle writes a bundle holding an empty rootfs directory and config
// (DefaultSpec when nil) and returns its path.
func newBundle(t testing.TB, config *specs.Spec) string {
	t.Helper()
	bundle := t.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if config == nil {
		config = DefaultSpec()
	}
	data, err := json.MarshalIndent(config, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, bundle, string(data))
	return bundle
}

func writeConfig(t testing.TB, bundle, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// assertInvalid checks that err is an ErrInvalidArgument naming every
// string of want.
func assertInvalid(t testing.TB, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one naming %q", want)
	}
	if !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("error %q does not wrap ErrInvalidArgument", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestValidateID(t *testing.T) {
	valid := []string{"a", "abc-123", "A_b.c+d", strings.Repeat("x", 1024), "..."}
	for _, id := range valid {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v, want nil", id, err)
		}
	}
	invalid := []struct{ id, want string }{
		{"", "empty"},
		{".", `"."`},
		{"..", `".."`},
		{"a/b", `"a/b"`},
		{"../x", `"../x"`},
		{"a b", "' '"},
		{"a\x00b", `\x00`},
		{"é", `'é'`},
		{strings.Repeat("x", 1025), "1025"},
	}
	for _, tc := range invalid {
		t.Run(tc.id, func(t *testing.T) {
			err := ValidateID(tc.id)
			assertInvalid(t, err, "container id", tc.want)
		})
	}
}

func TestLoadBundle(t *testing.T) {
	t.Run("default spec", func(t *testing.T) {
		bundle := newBundle(t, nil)
		spec, err := LoadBundle(bundle)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Root.Path != "rootfs" || spec.Process.Args[0] != "sh" {
			t.Fatalf("spec read back wrong: %+v", spec)
		}
	})
	t.Run("unknown fields are allowed", func(t *testing.T) {
		bundle := newBundle(t, nil)
		writeConfig(t, bundle, `{"ociVersion": "1.0.0", "vendorThing": {"x": 1}, "process": {"cwd": "/", "args": ["sh"], "future": true}}`)
		spec, err := LoadBundle(bundle)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Version != "1.0.0" || spec.Process.Args[0] != "sh" {
			t.Fatalf("spec = %+v", spec)
		}
	})
	negative := []struct {
		name   string
		config string // "" means no config.json at all
		want   []string
	}{
		{"missing config.json", "", []string{"config.json not found"}},
		{"empty file", " ", []string{"config.json:1:"}},
		{"syntax error", "{\n  \"ociVersion\": \"1.0.0\",\n  \"process\": {,\n}", []string{"config.json:3:15", "invalid character ','"}},
		{"trailing comma", "{\n \"ociVersion\": \"1.0.0\",\n}", []string{"config.json:3:1"}},
		{"wrong type", "{\n  \"ociVersion\": \"1.0.0\",\n  \"process\": {\"args\": \"sh\"}\n}", []string{"config.json:3:", "process.args", "string"}},
		{"wrong top-level type", "[1, 2]", []string{"config.json:1:", "array"}},
	}
	for _, tc := range negative {
		t.Run(tc.name, func(t *testing.T) {
			bundle := t.TempDir()
			if tc.config != "" {
				writeConfig(t, bundle, tc.config)
			}
			spec, err := LoadBundle(bundle)
			if spec != nil {
				t.Errorf("got a spec with the error")
			}
			assertInvalid(t, err, append(tc.want, bundle)...)
		})
	}
}

func TestLoadBundleFixtures(t *testing.T) {
	// testdata/bad-json/config.json lacks the comma at the end of line 4;
	// the decoder notices at the quote that opens line 5.
	_, err := LoadBundle(filepath.Join("testdata", "bad-json"))
	assertInvalid(t, err, "config.json:5:3:", "invalid character")
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(s *specs.Spec)
		want   []string
	}{
		{"ociVersion missing", func(s *specs.Spec) { s.Version = "" }, []string{"ociVersion is missing"}},
		{"ociVersion 2", func(s *specs.Spec) { s.Version = "2.0.0" }, []string{`ociVersion "2.0.0" is not supported; want 1.x`}},
		{"ociVersion garbage", func(s *specs.Spec) { s.Version = "latest" }, []string{`ociVersion "latest"`}},
		{"root missing", func(s *specs.Spec) { s.Root = nil }, []string{"root.path is missing"}},
		{"root.path empty", func(s *specs.Spec) { s.Root.Path = "" }, []string{"root.path is missing"}},
		{"root.path absent", func(s *specs.Spec) { s.Root.Path = "nothere" }, []string{`root.path "nothere"`, "no such file"}},
		{"root.path a file", func(s *specs.Spec) { s.Root.Path = "config.json" }, []string{`root.path "config.json"`, "not a directory"}},
		{"process missing", func(s *specs.Spec) { s.Process = nil }, []string{"process is missing"}},
		{"process.args empty", func(s *specs.Spec) { s.Process.Args = nil }, []string{"process.args is empty"}},
		{"process.cwd relative", func(s *specs.Spec) { s.Process.Cwd = "tmp" }, []string{`process.cwd "tmp"`, "absolute"}},
		{"process.cwd empty", func(s *specs.Spec) { s.Process.Cwd = "" }, []string{"process.cwd", "absolute"}},
		{"capability unknown", func(s *specs.Spec) { s.Process.Capabilities.Effective[2] = "CAP_FLY" },
			[]string{`process.capabilities.effective[2] "CAP_FLY" is unknown`}},
		{"capability lower case", func(s *specs.Spec) { s.Process.Capabilities.Ambient = []string{"cap_kill"} },
			[]string{`process.capabilities.ambient[0] "cap_kill"`}},
		{"rlimit unknown", func(s *specs.Spec) { s.Process.Rlimits[0].Type = "RLIMIT_FOO" },
			[]string{`process.rlimits[0].type "RLIMIT_FOO" is unknown`}},
		{"rlimit soft above hard", func(s *specs.Spec) { s.Process.Rlimits[0].Soft = 2048 },
			[]string{"process.rlimits[0]", "soft limit 2048 is above hard limit 1024"}},
		{"rlimit twice", func(s *specs.Spec) { s.Process.Rlimits = append(s.Process.Rlimits, s.Process.Rlimits[0]) },
			[]string{"process.rlimits[1].type", "twice"}},
		{"oomScoreAdj", func(s *specs.Spec) { s.Process.OOMScoreAdj = ptr(1001) }, []string{"process.oomScoreAdj 1001"}},
		{"apparmor", func(s *specs.Spec) { s.Process.ApparmorProfile = "docker-default" }, []string{"process.apparmorProfile"}},
		{"mount destination relative", func(s *specs.Spec) { s.Mounts[1].Destination = "dev" },
			[]string{`mounts[1].destination "dev" is not an absolute path`}},
		{"bind mount without source", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Options: []string{"rbind"}})
		}, []string{"mounts[7].source is empty"}},
		{"hook path relative", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Poststop: []specs.Hook{{Path: "/bin/true"}, {Path: "cleanup.sh"}}}
		}, []string{`hooks.poststop[1].path "cleanup.sh" is not an absolute path`}},
		{"hook timeout", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/bin/true", Timeout: ptr(0)}}}
		}, []string{"hooks.createRuntime[0].timeout 0"}},
		{"namespace unknown", func(s *specs.Spec) { s.Linux.Namespaces[3].Type = "foo" },
			[]string{`linux.namespaces[3].type "foo" is unknown`}},
		{"namespace time", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time"})
		},
			[]string{`linux.namespaces[6].type "time" is not supported`}},
		{"namespace twice", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "pid"})
		},
			[]string{`linux.namespaces[6].type "pid" duplicates linux.namespaces[0]`}},
		{"namespace path relative", func(s *specs.Spec) { s.Linux.Namespaces[1].Path = "netns" },
			[]string{`linux.namespaces[1].path "netns"`}},
		{"user namespace without uid map", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
		}, []string{"linux.uidMappings is empty"}},
		{"user namespace without gid map", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
		}, []string{"linux.gidMappings is empty"}},
		{"mappings without user namespace", func(s *specs.Spec) {
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
		}, []string{"linux.uidMappings", "no user namespace"}},
		{"mapping size 0", func(s *specs.Spec) { withUserNS(s, specs.LinuxIDMapping{HostID: 100000, Size: 0}) },
			[]string{"linux.uidMappings[0].size is 0"}},
		{"mapping host overflow", func(s *specs.Spec) { withUserNS(s, specs.LinuxIDMapping{HostID: 4294967295, Size: 2}) },
			[]string{"linux.uidMappings[0]", "hostID 4294967295 + size 2 overflows"}},
		{"mapping container overflow", func(s *specs.Spec) {
			withUserNS(s, specs.LinuxIDMapping{ContainerID: 4294967000, HostID: 1, Size: 1000})
		},
			[]string{"linux.uidMappings[0]", "containerID"}},
		{"mappings overlap", func(s *specs.Spec) {
			withUserNS(s, specs.LinuxIDMapping{HostID: 100000, Size: 10}, specs.LinuxIDMapping{ContainerID: 5, HostID: 200000, Size: 10})
		}, []string{"linux.uidMappings[1]", "overlaps linux.uidMappings[0]"}},
		{"hostname without uts", func(s *specs.Spec) { s.Linux.Namespaces = s.Linux.Namespaces[:3] },
			[]string{`hostname "container" needs a UTS namespace`}},
		{"domainname without uts", func(s *specs.Spec) {
			s.Hostname = ""
			s.Domainname = "lan"
			s.Linux.Namespaces = s.Linux.Namespaces[:3]
		},
			[]string{`domainname "lan"`}},
		{"device path relative", func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Path: "dev/fuse", Type: "c"}} },
			[]string{`linux.devices[0].path "dev/fuse"`}},
		{"device type", func(s *specs.Spec) { s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "x"}} },
			[]string{`linux.devices[0].type "x"`}},
		{"device cgroup access", func(s *specs.Spec) { s.Linux.Resources.Devices[0].Access = "rwx" },
			[]string{`linux.resources.devices[0].access: "rwx"`}},
		{"memory limit negative", func(s *specs.Spec) { s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptr[int64](-5)} },
			[]string{"linux.resources.memory.limit: -5 is negative"}},
		{"memory swap below limit", func(s *specs.Spec) {
			s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptr[int64](1 << 30), Swap: ptr[int64](1 << 20)}
		}, []string{"linux.resources.memory.swap: 1048576 is below"}},
		{"memory reservation above limit", func(s *specs.Spec) {
			s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Reservation: ptr[int64](1 << 30)}
		}, []string{"linux.resources.memory.reservation: 1073741824 exceeds"}},
		{"memory limit tiny", func(s *specs.Spec) { s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptr[int64](4096)} },
			[]string{"linux.resources.memory.limit: 4096 is below the minimum"}},
		{"swappiness", func(s *specs.Spec) { s.Linux.Resources.Memory = &specs.LinuxMemory{Swappiness: ptr[uint64](101)} },
			[]string{"linux.resources.memory.swappiness: 101"}},
		{"pids negative", func(s *specs.Spec) { s.Linux.Resources.Pids = &specs.LinuxPids{Limit: ptr[int64](-2)} },
			[]string{"linux.resources.pids.limit: -2"}},
		{"cpu shares", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Shares: ptr[uint64](1 << 20)} },
			[]string{"linux.resources.cpu.shares: 1048576"}},
		{"cpu quota tiny", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Quota: ptr[int64](10)} },
			[]string{"linux.resources.cpu.quota: 10"}},
		{"cpu period huge", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Period: ptr[uint64](5000000)} },
			[]string{"linux.resources.cpu.period: 5000000"}},
		{"cpuset cpus", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Cpus: "0-3,x"} },
			[]string{`linux.resources.cpu.cpus: "0-3,x"`}},
		{"cpuset reversed range", func(s *specs.Spec) { s.Linux.Resources.CPU = &specs.LinuxCPU{Mems: "3-1"} },
			[]string{`linux.resources.cpu.mems: "3-1"`}},
		{"blkio weight", func(s *specs.Spec) { s.Linux.Resources.BlockIO = &specs.LinuxBlockIO{Weight: ptr[uint16](5)} },
			[]string{"linux.resources.blockIO.weight: 5"}},
		{"hugepage size", func(s *specs.Spec) {
			s.Linux.Resources.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2M", Limit: 1}}
		}, []string{`linux.resources.hugepageLimits[0].pageSize: "2M"`}},
		{"unified key", func(s *specs.Spec) { s.Linux.Resources.Unified = map[string]string{"../memory.max": "1"} },
			[]string{`linux.resources.unified["../memory.max"]`}},
		{"seccomp default action", func(s *specs.Spec) { s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_MAYBE"} },
			[]string{"linux.seccomp: defaultAction", "SCMP_ACT_MAYBE"}},
		{"seccomp arch", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{"SCMP_ARCH_Z80"}}
		}, []string{"linux.seccomp: architectures[0]", "SCMP_ARCH_Z80"}},
		{"seccomp flag", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Flags: []specs.LinuxSeccompFlag{"FAST"}}
		}, []string{"linux.seccomp: flags[0]", "FAST"}},
		{"seccomp syscall action", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActErrno,
				Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow}, {Names: []string{"mount"}, Action: specs.ActNotify}}}
		}, []string{"linux.seccomp: syscalls[1].action", "SCMP_ACT_NOTIFY"}},
		{"seccomp syscall names", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Action: specs.ActAllow}}}
		}, []string{"linux.seccomp: syscalls[0].names"}},
		{"seccomp operator", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
				{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Op: "SCMP_CMP_ABOUT"}}}}}
		}, []string{"linux.seccomp: syscalls[0].args[0].op", "SCMP_CMP_ABOUT"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bundle := newBundle(t, nil)
			spec := DefaultSpec()
			tc.mutate(spec)
			assertInvalid(t, Validate(spec, bundle), tc.want...)
		})
	}
}

// withUserNS adds a user namespace with the given uid mappings and a
// valid gid mapping.
func withUserNS(s *specs.Spec, uids ...specs.LinuxIDMapping) {
	s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
	s.Linux.UIDMappings = uids
	s.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
}

func TestValidateAccepts(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(s *specs.Spec)
	}{
		{"runc spec version", func(s *specs.Spec) { s.Version = "1.0.2-dev" }},
		{"absolute root", func(s *specs.Spec) { s.Root.Path = "/" }},
		{"user namespace with maps", func(s *specs.Spec) {
			withUserNS(s, specs.LinuxIDMapping{HostID: 100000, Size: 65536})
		}},
		{"joined user namespace needs no maps", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "user", Path: "/proc/1/ns/user"})
		}},
		{"full 32-bit mapping", func(s *specs.Spec) {
			withUserNS(s, specs.LinuxIDMapping{ContainerID: 0, HostID: 0, Size: 4294967295})
		}},
		{"unlimited resources", func(s *specs.Spec) {
			s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptr[int64](-1), Swap: ptr[int64](-1)}
			s.Linux.Resources.Pids = &specs.LinuxPids{Limit: ptr[int64](-1)}
			s.Linux.Resources.CPU = &specs.LinuxCPU{Quota: ptr[int64](-1), Period: ptr[uint64](100000), Shares: ptr[uint64](1024), Cpus: "0-1,3", Mems: "0"}
		}},
		{"no hostname without uts", func(s *specs.Spec) { s.Hostname = ""; s.Linux.Namespaces = s.Linux.Namespaces[:3] }},
		{"no linux at all", func(s *specs.Spec) { s.Hostname = ""; s.Linux = nil }},
		{"seccomp", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86_64},
				Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow,
					Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}}}}}
		}},
		{"hooks", func(s *specs.Spec) {
			s.Hooks = &specs.Hooks{Prestart: []specs.Hook{{Path: "/bin/true", Timeout: ptr(5)}}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bundle := newBundle(t, nil)
			spec := DefaultSpec()
			tc.mutate(spec)
			if err := Validate(spec, bundle); err != nil {
				t.Fatalf("Validate = %v, want nil", err)
			}
		})
	}
}
