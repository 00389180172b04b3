package security

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// hostSysctls are the host's kernel parameters the attack aims at, read
// before and after.
var hostSysctls = []string{
	"/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe", "/proc/sys/vm/panic_on_oom",
	"/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/shmmax", "/proc/sys/kernel/hostname",
}

func readHostSysctls(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, p := range hostSysctls {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			m[p] = "absent" // kernel.modprobe without CONFIG_MODULES
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		m[p] = string(b)
	}
	return m
}

// TestCVE_2019_5736Class_SysctlHostWriteRefused guards the host's kernel
// parameters against --sysctl. The runtime writes a container's sysctls
// as root before the container's /proc/sys is made read-only; a key that
// is not namespaced (kernel.core_pattern, whose "|program" the host's
// kernel runs as root on any crash, kernel.modprobe, vm.*) would be
// written to the host's kernel, a host write of the CVE-2019-5736 class.
// So would a namespaced key when the namespace is the host's (net.* with
// --network host, kernel.shm* with --ipc host), and a key that walks out
// of its directory under /proc/sys.
//
// Every such create, through the CLI and straight through the API (which
// a client other than ours would use), must be refused with
// an invalid argument and leave no container; the host's values must be
// unchanged. A namespaced key in the container's own namespace is
// accepted and seen inside while the host's value stays: the check can
// tell a write that happened.
func TestCVE_2019_5736Class_SysctlHostWriteRefused(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	before := readHostSysctls(t)

	attacks := []struct {
		name  string
		flags []string
		key   string
		value string
	}{
		{"core_pattern", nil, "kernel.core_pattern", "|/tmp/pwn %p"},
		{"modprobe", nil, "kernel.modprobe", "/tmp/pwn"},
		{"vm", nil, "vm.panic_on_oom", "1"},
		{"hostname", nil, "kernel.hostname", "pwned"},
		{"domainname", nil, "kernel.domainname", "pwned"},
		{"net in host netns", []string{"--network", "host"}, "net.ipv4.ip_forward", flip(before["/proc/sys/net/ipv4/ip_forward"])},
		{"ipc in host ipc", []string{"--ipc", "host"}, "kernel.shmmax", "4096"},
		{"mqueue in host ipc", []string{"--ipc", "host"}, "fs.mqueue.msg_max", "11"},
		{"dotdot", nil, "net..kernel.core_pattern", "|/tmp/pwn"},
		{"slash", nil, "net/../kernel/core_pattern", "|/tmp/pwn"},
		{"net prefix walk", nil, "net.ipv4/../../kernel/core_pattern", "|/tmp/pwn"},
		{"upper case", nil, "KERNEL.core_pattern", "|/tmp/pwn"},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			args := append(append([]string{"run", "--rm"}, a.flags...), "--sysctl", a.key+"="+a.value, img, "cat", "/proc/sys/kernel/core_pattern")
			res := d.Run(t, args...)
			if res.Code != 125 {
				t.Errorf("--sysctl %s=%s was not refused at create:\n%s", a.key, a.value, res)
			}
			req := api.ContainerCreate{Image: img, Cmd: []string{"true"}, Sysctls: map[string]string{a.key: a.value}}
			for i := 0; i+1 < len(a.flags); i += 2 {
				switch a.flags[i] {
				case "--network":
					req.Network = a.flags[i+1]
				case "--ipc":
					req.IpcMode = a.flags[i+1]
				}
			}
			// The client maps a 400 back to errdefs.ErrInvalidArgument,
			// whose text ends the message.
			if _, err := d.Client.ContainerCreate(context.Background(), req); err == nil || !strings.HasSuffix(err.Error(), "invalid argument") {
				t.Errorf("the API accepted sysctl %s=%s: %v", a.key, a.value, err)
			}
		})
	}
	if ids := strings.Fields(d.OK(t, "ps", "-aq")); len(ids) != 0 {
		t.Errorf("refused creates left containers: %v", ids)
	}

	// The control: a namespaced key of the container's own namespace.
	out := d.OK(t, "run", "--rm", "--sysctl", "kernel.shmmax=4096", "--sysctl", "net.ipv4.ip_forward="+flip(before["/proc/sys/net/ipv4/ip_forward"]),
		img, "cat", "/proc/sys/kernel/shmmax", "/proc/sys/net/ipv4/ip_forward")
	if want := "4096\n" + flip(before["/proc/sys/net/ipv4/ip_forward"]) + "\n"; out != want {
		t.Errorf("the container's own sysctls: want %q inside, got %q", want, out)
	}
	after := readHostSysctls(t)
	for _, p := range hostSysctls {
		if before[p] != after[p] {
			t.Errorf("the host's %s changed: %q -> %q", p, before[p], after[p])
		}
	}
}

// flip is the other value of a 0/1 parameter.
func flip(v string) string {
	if strings.TrimSpace(v) == "1" {
		return "0"
	}
	return "1"
}

// TestCVE_2019_5736Class_OCISysctlHostWriteRefused is the same attack
// through container-runtime-oci, runc's command line, where no daemon
// checks the config first: config.json's linux.sysctl names
// kernel.core_pattern, a vm.* key, a key that walks out of /proc/sys/net,
// and net.* without a network namespace of the container's own. Each run
// must fail before the container's process runs, and the host's values
// must stay. A net.* key with the container's own namespace runs: the
// probe can tell.
func TestCVE_2019_5736Class_OCISysctlHostWriteRefused(t *testing.T) {
	testutil.RequireRoot(t)
	_, _, oci := daemon.Bins()
	bundle := t.TempDir()
	state := t.TempDir()
	if err := busyboxfs.Create(filepath.Join(bundle, "rootfs")); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(oci, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		t.Fatalf("spec: %v\n%s", err, out)
	}
	before := readHostSysctls(t)
	run := func(t *testing.T, name string, sysctl map[string]string, hostNet bool) (string, error) {
		var spec specs.Spec
		b, err := os.ReadFile(filepath.Join(bundle, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &spec); err != nil {
			t.Fatal(err)
		}
		spec.Process.Terminal = false
		spec.Process.Args = []string{"echo", "ran"}
		spec.Linux.Sysctl = sysctl
		if hostNet {
			spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace })
		}
		dir := filepath.Join(t.TempDir(), "bundle")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		spec.Root.Path = filepath.Join(bundle, "rootfs")
		if b, err = json.Marshal(&spec); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("sysctl-%d-%s", os.Getpid(), name)
		out, err := exec.Command(oci, "--root", state, "run", "--bundle", dir, id).CombinedOutput()
		exec.Command(oci, "--root", state, "delete", "--force", id).Run()
		return string(out), err
	}
	for _, a := range []struct {
		name    string
		sysctl  map[string]string
		hostNet bool
	}{
		{"core_pattern", map[string]string{"kernel.core_pattern": "|/tmp/pwn %p"}, false},
		{"vm", map[string]string{"vm.panic_on_oom": "1"}, false},
		{"walk", map[string]string{"net/../kernel/core_pattern": "|/tmp/pwn"}, false},
		{"hostnet", map[string]string{"net.ipv4.ip_forward": flip(before["/proc/sys/net/ipv4/ip_forward"])}, true},
	} {
		t.Run(a.name, func(t *testing.T) {
			out, err := run(t, a.name, a.sysctl, a.hostNet)
			if err == nil || strings.Contains(out, "ran") {
				t.Errorf("linux.sysctl %v ran:\n%s", a.sysctl, out)
			}
		})
	}
	if out, err := run(t, "own", map[string]string{"net.ipv4.ip_forward": "1"}, false); err != nil || !strings.Contains(out, "ran") {
		t.Errorf("a net.* key in the container's own namespace: %v\n%s", err, out)
	}
	after := readHostSysctls(t)
	for _, p := range hostSysctls {
		if before[p] != after[p] {
			t.Errorf("the host's %s changed: %q -> %q", p, before[p], after[p])
		}
	}
}
