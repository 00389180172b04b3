package e2e

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// refused runs args, which must fail with the CLI's 125 and an error
// containing want, and leave no new container behind.
func refused(t *testing.T, d *daemon.Daemon, want string, args ...string) {
	t.Helper()
	before := strings.Fields(d.OK(t, "ps", "-aq", "--no-trunc"))
	res := d.Run(t, args...)
	if res.Code != 125 || !strings.Contains(res.Stderr, want) {
		t.Errorf("want exit 125 and %q, got:\n%s", want, res)
	}
	for _, id := range strings.Fields(d.OK(t, "ps", "-aq", "--no-trunc")) {
		if !slices.Contains(before, id) {
			t.Errorf("%v left container %s behind", args, id)
			d.Run(t, "rm", "-f", id)
		}
	}
}

// hostNamespace is the test's own namespace link (the host's).
func hostNamespace(t *testing.T, kind string) string {
	t.Helper()
	l, err := os.Readlink("/proc/self/ns/" + kind)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRunFlags reads each of Docker's host-config run flags back inside
// the container, and checks the refusals Docker makes.
func TestRunFlags(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)

	t.Run("ulimit", func(t *testing.T) {
		out := d.OK(t, "run", "--rm", "--ulimit", "nofile=512:1000", "--ulimit", "nproc=77", "--ulimit", "core=0",
			img, "sh", "-c", "ulimit -Sn; ulimit -Hn; ulimit -Su; ulimit -Hu; ulimit -c")
		if got := strings.Fields(out); !slices.Equal(got, []string{"512", "1000", "77", "77", "0"}) {
			t.Errorf("ulimit -Sn -Hn -Su -Hu -c: want 512 1000 77 77 0, got %q", got)
		}
		if out := d.OK(t, "run", "--rm", "--ulimit", "nofile=100", "--ulimit", "nofile=200", img, "sh", "-c", "ulimit -n"); strings.TrimSpace(out) != "200" {
			t.Errorf("the later --ulimit of a name wins: want 200, got %q", out)
		}
		// Memory limits far below what the init and exec stages (Go
		// programs) map as they run apply to the program only, set just
		// before it is executed, when the seccomp filter waits until then
		// too (no_new_privs, or no filter). The stages used to die of
		// "cannot allocate memory" with them. (With a filter loaded
		// before the identity changes, Docker's default, they are still
		// set early: the filter could deny setting them later.)
		for _, opt := range []string{"no-new-privileges", "seccomp=unconfined"} {
			out := d.OK(t, "run", "--rm", "--security-opt", opt, "--ulimit", "as=33554432", "--ulimit", "data=33554432", img, "sh", "-c", "ulimit -v; ulimit -d")
			if got := strings.Fields(out); !slices.Equal(got, []string{"32768", "32768"}) {
				t.Errorf("--security-opt %s: ulimit -v -d: want 32768 32768 (KiB), got %q", opt, got)
			}
		}
		d.OK(t, "run", "-d", "--name", "aslimit", "--security-opt", "no-new-privileges", "--ulimit", "as=33554432", img, "sleep", "1000")
		if out := d.OK(t, "exec", "aslimit", "sh", "-c", "ulimit -v"); strings.TrimSpace(out) != "32768" {
			t.Errorf("exec under --ulimit as: ulimit -v %q, want 32768", out)
		}
		d.OK(t, "rm", "-f", "aslimit")
		refused(t, d, `invalid ulimit type: "bogus"`, "run", "--rm", "--ulimit", "bogus=1", img, "true")
		refused(t, d, "soft limit must be less than or equal to hard limit", "run", "--rm", "--ulimit", "nofile=20:10", img, "true")
		refused(t, d, "want NAME=SOFT[:HARD]", "create", "--ulimit", "nofile", img)
	})

	t.Run("sysctl", func(t *testing.T) {
		out := d.OK(t, "run", "--rm", "--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=123456789",
			"--sysctl", "fs.mqueue.msg_max=20", "--sysctl", "kernel.sem=250 32000 100 200",
			img, "sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/sem")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || lines[0] != "1" || lines[1] != "123456789" || lines[2] != "20" || strings.Join(strings.Fields(lines[3]), " ") != "250 32000 100 200" {
			t.Errorf("sysctls read back: want 1, 123456789, 20, 250 32000 100 200; got %q", lines)
		}
		refused(t, d, "not allowed in the host's network namespace", "run", "--rm", "--network", "host", "--sysctl", "net.ipv4.ip_forward=1", img, "true")
		refused(t, d, "not allowed in the host's IPC namespace", "run", "--rm", "--ipc", "host", "--sysctl", "kernel.shmmax=1", img, "true")
		refused(t, d, "use --hostname", "create", "--sysctl", "kernel.hostname=x", img)
		refused(t, d, "not a namespaced kernel parameter", "create", "--sysctl", "vm.swappiness=1", img)
		refused(t, d, "want KEY=VALUE", "create", "--sysctl", "net.ipv4.ip_forward", img)
	})

	t.Run("device", func(t *testing.T) {
		out := d.OK(t, "run", "--rm", "--device", "/dev/net/tun:/dev/mytun:rw", img, "ls", "-l", "/dev/mytun")
		if f := strings.Fields(out); len(f) < 6 || !strings.HasPrefix(f[0], "c") || f[4] != "10," || f[5] != "200" {
			t.Errorf("ls -l /dev/mytun: want the character device 10, 200, got %q", out)
		}
		out = d.OK(t, "run", "--rm", "--device", "/dev/net/tun", img, "ls", "-l", "/dev/net/tun")
		if !strings.Contains(out, "10, 200") {
			t.Errorf("--device HOST alone makes the node at the same path: got %q", out)
		}
		// A directory brings every device under it, as Docker's --device /dev/snd.
		out = d.OK(t, "run", "--rm", "--device", "/dev/net:/dev/mynet", img, "sh", "-c", "ls -l /dev/mynet/tun && cat /dev/mynet/tun 2>&1; true")
		if !strings.Contains(out, "10, 200") || strings.Contains(out, "Operation not permitted") {
			t.Errorf("--device /dev/net:/dev/mynet: want /dev/mynet/tun, usable: got %q", out)
		}
		refused(t, d, "error gathering device information", "create", "--device", "/dev/no-such-device", img)
		refused(t, d, "not a device node", "create", "--device", "/etc/hostname", img)
		refused(t, d, "invalid device mode", "create", "--device", "/dev/net/tun:/dev/x:rwx", img)
	})

	t.Run("shm-size", func(t *testing.T) {
		dfTotal := func(args ...string) string {
			out := d.OK(t, append(append([]string{"run", "--rm"}, args...), img, "df", "-k", "/dev/shm")...)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if f := strings.Fields(lines[len(lines)-1]); len(f) > 1 {
				return f[1]
			}
			t.Fatalf("df output: %q", out)
			return ""
		}
		if got := dfTotal(); got != "65536" {
			t.Errorf("default /dev/shm: want 65536 KiB, got %s", got)
		}
		if got := dfTotal("--shm-size", "128m"); got != "131072" {
			t.Errorf("--shm-size 128m: want 131072 KiB, got %s", got)
		}
		if got := d.OK(t, "inspect", "-f", "{{.HostConfig.ShmSize}}", mustCreate(t, d, "--shm-size", "1g", img)); strings.TrimSpace(got) != "1073741824" {
			t.Errorf("inspect HostConfig.ShmSize: got %q", got)
		}
		refused(t, d, "invalid --shm-size", "create", "--shm-size", "lots", img)
	})

	t.Run("group-add", func(t *testing.T) {
		out := d.OK(t, "run", "--rm", "--group-add", "1234", "--group-add", "nogroup", img, "id", "-G")
		got := strings.Fields(out)
		if !slices.Contains(got, "1234") || !slices.Contains(got, "65534") {
			t.Errorf("id -G: want 1234 and nogroup's 65534 among %q", got)
		}
		d.OK(t, "run", "-d", "--name", "ga", "--group-add", "1234", img, "sleep", "1000")
		defer d.Run(t, "rm", "-f", "ga")
		if got := strings.Fields(d.OK(t, "exec", "ga", "id", "-G")); !slices.Contains(got, "1234") {
			t.Errorf("exec's id -G: want the --group-add 1234 among %q", got)
		}
		res := d.Run(t, "run", "--name", "gafail", "--group-add", "nosuchgroup", img, "true")
		d.Run(t, "rm", "-f", "gafail")
		if res.Code == 0 || !strings.Contains(res.Stderr, "unable to find group nosuchgroup") {
			t.Errorf("an unknown group name must fail the start: %s", res)
		}
	})

	t.Run("cidfile", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "cid")
		id := strings.TrimSpace(d.OK(t, "create", "--cidfile", file, img, "true"))
		b, err := os.ReadFile(file)
		if err != nil || string(b) != id {
			t.Errorf("cidfile: want %q, got %q (%v)", id, b, err)
		}
		refused2 := d.Run(t, "create", "--cidfile", file, img)
		if refused2.Code != 125 || !strings.Contains(refused2.Stderr, "container ID file found") {
			t.Errorf("an existing cidfile must be refused: %s", refused2)
		}
		d.OK(t, "rm", id)
		other := filepath.Join(t.TempDir(), "cid2")
		refused(t, d, "No such image: no-such-image:latest", "create", "--pull", "never", "--cidfile", other, "no-such-image")
		if _, err := os.Stat(other); !os.IsNotExist(err) {
			t.Errorf("a failed create left its cidfile: %v", err)
		}
	})

	t.Run("pid", func(t *testing.T) {
		own := strings.TrimSpace(d.OK(t, "run", "--rm", img, "readlink", "/proc/self/ns/pid"))
		if own == hostNamespace(t, "pid") {
			t.Errorf("a container's default PID namespace is the host's")
		}
		host := strings.TrimSpace(d.OK(t, "run", "--rm", "--pid", "host", img, "readlink", "/proc/self/ns/pid"))
		if host != hostNamespace(t, "pid") {
			t.Errorf("--pid host: want %s, got %s", hostNamespace(t, "pid"), host)
		}
		d.OK(t, "run", "-d", "--name", "pidtarget", img, "sleep", "1000")
		defer d.Run(t, "rm", "-f", "pidtarget")
		want := strings.TrimSpace(d.OK(t, "exec", "pidtarget", "readlink", "/proc/self/ns/pid"))
		out := d.OK(t, "run", "--rm", "--pid", "container:pidtarget", img, "sh", "-c", "readlink /proc/self/ns/pid; ps -o args")
		if !strings.HasPrefix(out, want+"\n") || !strings.Contains(out, "sleep 1000") {
			t.Errorf("--pid container:pidtarget: want its namespace %s and its sleep, got:\n%s", want, out)
		}
		if got := d.OK(t, "inspect", "-f", "{{.HostConfig.PidMode}}", mustCreate(t, d, "--pid", "container:pidtarget", img)); !strings.HasPrefix(strings.TrimSpace(got), "container:") || len(strings.TrimSpace(got)) != len("container:")+64 {
			t.Errorf("inspect PidMode: want container:<full id>, got %q", got)
		}
		d.OK(t, "create", "--name", "notrunning", img, "true")
		defer d.Run(t, "rm", "-f", "notrunning")
		res := d.Run(t, "run", "--name", "pidfail", "--pid", "container:notrunning", img, "true")
		d.Run(t, "rm", "-f", "pidfail")
		if res.Code == 0 || !strings.Contains(res.Stderr, "cannot join PID of a non running container") {
			t.Errorf("joining a stopped container's PID namespace must fail: %s", res)
		}
		refused(t, d, "no such container", "create", "--pid", "container:nosuch", img)
		refused(t, d, "invalid --pid", "create", "--pid", "bogus", img)
	})

	t.Run("ipc", func(t *testing.T) {
		host := strings.TrimSpace(d.OK(t, "run", "--rm", "--ipc", "host", img, "readlink", "/proc/self/ns/ipc"))
		if host != hostNamespace(t, "ipc") {
			t.Errorf("--ipc host: want %s, got %s", hostNamespace(t, "ipc"), host)
		}
		if out := d.OK(t, "run", "--rm", "--ipc", "none", img, "cat", "/proc/mounts"); strings.Contains(out, " /dev/shm ") {
			t.Errorf("--ipc none: /dev/shm is mounted:\n%s", out)
		}
		d.OK(t, "run", "-d", "--name", "ipcdonor", "--ipc", "shareable", "--shm-size", "32m", img, "sleep", "1000")
		defer d.Run(t, "rm", "-f", "ipcdonor")
		d.OK(t, "exec", "ipcdonor", "sh", "-c", "echo shared > /dev/shm/marker")
		donorNS := strings.TrimSpace(d.OK(t, "exec", "ipcdonor", "readlink", "/proc/self/ns/ipc"))
		out := d.OK(t, "run", "--rm", "--ipc", "container:ipcdonor", img, "sh", "-c", "readlink /proc/self/ns/ipc; cat /dev/shm/marker")
		if out != donorNS+"\nshared\n" {
			t.Errorf("--ipc container:ipcdonor: want its namespace %s and its /dev/shm, got %q", donorNS, out)
		}
		d.OK(t, "run", "-d", "--name", "ipcprivate", img, "sleep", "1000")
		defer d.Run(t, "rm", "-f", "ipcprivate")
		refused(t, d, "non-shareable IPC", "create", "--ipc", "container:ipcprivate", img)
		refused(t, d, "invalid --ipc", "create", "--ipc", "bogus", img)
		// The donor's host-side /dev/shm is mounted during its run, and
		// goes with it.
		donor := strings.TrimSpace(d.OK(t, "inspect", "-f", "{{.Id}}", "ipcdonor"))
		shm := " " + filepath.Join(d.Root, "containers", donor, "shm") + " "
		if b, _ := os.ReadFile("/proc/self/mountinfo"); !strings.Contains(string(b), shm) {
			t.Errorf("the shareable /dev/shm%sis not mounted on the host during the run", shm)
		}
		d.OK(t, "rm", "-f", "ipcdonor")
		if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), shm) {
			t.Errorf("the shareable /dev/shm%sis still mounted after rm", shm)
		}
	})

	t.Run("uts", func(t *testing.T) {
		hn, err := os.Hostname()
		if err != nil {
			t.Fatal(err)
		}
		if out := strings.TrimSpace(d.OK(t, "run", "--rm", "--uts", "host", img, "hostname")); out != hn {
			t.Errorf("--uts host: want %q, got %q", hn, out)
		}
		if out := strings.TrimSpace(d.OK(t, "run", "--rm", img, "hostname")); out == hn {
			t.Errorf("the default UTS namespace has the host's name")
		}
		refused(t, d, "conflicting options: hostname and the UTS mode", "create", "--uts", "host", "-h", "x", img)
		refused(t, d, "invalid --uts", "create", "--uts", "container:x", img)
	})

	t.Run("platform", func(t *testing.T) {
		d.OK(t, "run", "--rm", "--platform", "linux/"+runtime.GOARCH, img, "true")
		d.OK(t, "run", "--rm", "--platform", "linux", img, "true")
		other := "linux/s390x"
		if runtime.GOARCH == "s390x" {
			other = "linux/amd64"
		}
		refused(t, d, "cannot run on this machine", "run", "--rm", "--platform", other, img, "true")
		refused(t, d, "cannot run on this machine", "create", "--platform", "windows/amd64", img)
	})

	t.Run("label-file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "labels")
		if err := os.WriteFile(file, []byte("# a comment\n\na=1\nb=from-file\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		id := mustCreate(t, d, "--label-file", file, "--label", "b=from-flag", img)
		out := d.OK(t, "inspect", "-f", `{{index .Config.Labels "a"}} {{index .Config.Labels "b"}}`, id)
		if strings.TrimSpace(out) != "1 from-flag" {
			t.Errorf("labels: want a=1 from the file and b overridden by --label, got %q", out)
		}
		refused(t, d, "--label-file", "create", "--label-file", "/no/such/file", img)
	})

	t.Run("log-driver", func(t *testing.T) {
		d.OK(t, "run", "--name", "nolog", "--log-driver", "none", img, "echo", "not kept")
		defer d.Run(t, "rm", "-f", "nolog")
		res := d.Run(t, "logs", "nolog")
		// Docker's message alone (its kind is 501, not a bad request).
		if res.Code == 0 || res.Stderr != "container-runtime: configured logging driver does not support reading\n" {
			t.Errorf("logs of a --log-driver none container: %s", res)
		}
		out := d.OK(t, "inspect", "-f", "{{.HostConfig.LogConfig.Type}} [{{.LogPath}}]", "nolog")
		if strings.TrimSpace(out) != "none []" {
			t.Errorf("inspect: want LogConfig.Type none and no LogPath, got %q", out)
		}
		id := strings.TrimSpace(d.OK(t, "inspect", "-f", "{{.Id}}", "nolog"))
		if logs, _ := filepath.Glob(filepath.Join(d.Root, "containers", id, "*.log*")); len(logs) != 0 {
			t.Errorf("--log-driver none kept log files: %v", logs)
		}
		d.OK(t, "run", "--name", "jsonlog", "--log-driver", "json-file", "--log-opt", "max-size=1m", img, "echo", "kept")
		defer d.Run(t, "rm", "-f", "jsonlog")
		if out := d.OK(t, "logs", "jsonlog"); out != "kept\n" {
			t.Errorf("logs with json-file: got %q", out)
		}
		out = d.OK(t, "inspect", "-f", `{{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config "max-size"}}`, "jsonlog")
		if strings.TrimSpace(out) != "json-file 1MiB" {
			t.Errorf("inspect LogConfig: got %q", out)
		}
		refused(t, d, `no log driver named "syslog"`, "create", "--log-driver", "syslog", img)
	})

	t.Run("inspect", func(t *testing.T) {
		id := mustCreate(t, d, "--ulimit", "nofile=10:20", "--sysctl", "net.ipv4.ip_forward=1", "--device", "/dev/net/tun:/dev/t:r",
			"--group-add", "7", "--pid", "host", "--ipc", "shareable", "--uts", "host", img)
		out := d.OK(t, "inspect", "-f", `{{json .HostConfig.Ulimits}} {{json .HostConfig.Sysctls}} {{json .HostConfig.Devices}} {{.HostConfig.GroupAdd}} {{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}`, id)
		want := `[{"Name":"nofile","Hard":20,"Soft":10}] {"net.ipv4.ip_forward":"1"} [{"PathOnHost":"/dev/net/tun","PathInContainer":"/dev/t","CgroupPermissions":"r"}] [7] host shareable host`
		if strings.TrimSpace(out) != want {
			t.Errorf("inspect HostConfig:\n got %s\nwant %s", out, want)
		}
		if out := d.OK(t, "inspect", "-f", "{{.HostConfig.IpcMode}} {{.HostConfig.PidMode}}|", mustCreate(t, d, img)); strings.TrimSpace(out) != "private |" {
			t.Errorf("inspect defaults: want IpcMode private and no PidMode, got %q", out)
		}
	})
}

// mustCreate creates a container with args and returns its id.
func mustCreate(t *testing.T, d *daemon.Daemon, args ...string) string {
	t.Helper()
	return strings.TrimSpace(d.OK(t, append(append([]string{"create"}, args...), "true")...))
}
