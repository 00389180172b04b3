package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestRunOptions runs a container per option and checks what the
// container sees.
func TestRunOptions(t *testing.T) {
	f := newFixture(t)
	// The user namespace case needs the root reachable by others, as
	// /var/lib is; t.TempDir's parent is 0700.
	if err := os.Chmod(filepath.Dir(f.root), 0o711); err != nil {
		t.Fatal(err)
	}
	bind := t.TempDir()
	os.WriteFile(filepath.Join(bind, "file"), []byte("from the host\n"), 0o644)
	tests := []struct {
		name string
		req  api.ContainerCreate
		cmd  string
		want string
	}{
		{"env, workdir, hostname", api.ContainerCreate{Env: []string{"A=1", "IMAGE_VAR=over"}, WorkingDir: "/tmp", Hostname: "box"},
			`echo $A $IMAGE_VAR $(pwd) $(hostname) $(cat /etc/hostname)`, "1 over /tmp box box"},
		{"default hostname is the short id", api.ContainerCreate{}, `[ "$(hostname)" = "$HOSTNAME" ] && echo ${#HOSTNAME}`, "12"},
		{"user by name", api.ContainerCreate{User: "app"}, `echo $(id -u):$(id -g) $(id -G) $HOME`, "1000:1000 1000 2000 /home/app"},
		{"network none has only lo", api.ContainerCreate{Network: "none"}, `ls /sys/class/net | tr '\n' ' '`, "lo"},
		{"host network sees the host's interfaces", api.ContainerCreate{Network: "host"}, `ls /sys/class/net | grep -c -v '^lo$' | sed 's/^[1-9][0-9]*$/some/'`, "some"},
		{"read-only root", api.ContainerCreate{ReadOnly: true}, `touch /x 2>/dev/null && echo rw || echo ro`, "ro"},
		{"bind mounts and tmpfs", api.ContainerCreate{ReadOnly: true, Mounts: []api.Mount{
			{Type: "bind", Source: bind, Destination: "/data", ReadOnly: true},
			{Type: "tmpfs", Destination: "/scratch"},
		}}, `cat /data/file; touch /data/x 2>/dev/null || echo data-ro; touch /scratch/x && echo scratch-rw`, "from the host\ndata-ro\nscratch-rw"},
		{"memory, cpus and pids limits", api.ContainerCreate{Resources: api.Resources{Memory: 64 << 20, NanoCPUs: 1500000000, PidsLimit: 50}},
			`cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max`, "67108864\n150000\n50"},
		{"default capabilities", api.ContainerCreate{}, `grep CapEff /proc/self/status`, "CapEff:\t00000000a80425fb"},
		{"cap-drop ALL, cap-add CHOWN", api.ContainerCreate{CapDrop: []string{"ALL"}, CapAdd: []string{"chown"}}, `grep CapEff /proc/self/status`, "CapEff:\t0000000000000001"},
		{"no-new-privileges", api.ContainerCreate{SecurityOpt: []string{"no-new-privileges"}}, `grep NoNewPrivs /proc/self/status`, "NoNewPrivs:\t1"},
		{"seccomp by default", api.ContainerCreate{}, `grep Seccomp: /proc/self/status`, "Seccomp:\t2"},
		{"privileged", api.ContainerCreate{Privileged: true}, `grep -E 'Seccomp:|CapBnd' /proc/self/status | cut -f2 | tr '\n' ' '; head -c1 /proc/timer_list | wc -c`, ownBoundingSet(t) + " 0 1"},
		{"not privileged: masked paths", api.ContainerCreate{}, `head -c1 /proc/timer_list | wc -c`, "0"},
		{"init", api.ContainerCreate{Init: true}, `echo $$; cat /proc/1/cmdline | tr '\0' ' '`, ""},
		{"private user namespace", api.ContainerCreate{Userns: "private"},
			`cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'; id -u; touch /etc/written && stat -c %u /etc/written /bin/busybox`, "0 100000 65536\n0\n0\n0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.Cmd = []string{"sh", "-c", tt.cmd}
			id := f.run(t, req)
			res := f.wait(t, id)
			got := strings.TrimSpace(f.logs(t, id))
			if tt.name == "init" {
				// PID 1 is the init; the shell is another process.
				if strings.HasPrefix(got, "1\n") || !strings.Contains(got, "\n") {
					t.Errorf("with --init: %q", got)
				}
			} else if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if res.StatusCode != 0 {
				t.Errorf("exit code %d", res.StatusCode)
			}
		})
	}
}

// ownBoundingSet is the test process's CapBnd, what a privileged
// container gets.
func ownBoundingSet(tb testing.TB) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "CapBnd:\t"); ok {
			return v
		}
	}
	tb.Fatal("no CapBnd in /proc/self/status")
	return ""
}
