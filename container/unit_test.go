package container

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/envpath"
)

func TestTargetArgs(t *testing.T) {
	tests := []struct {
		name  string
		req   api.ContainerCreate
		image ocispec.ImageConfig
		want  []string
	}{
		{"image cmd", api.ContainerCreate{}, ocispec.ImageConfig{Cmd: []string{"echo", "hi"}}, []string{"echo", "hi"}},
		{"request cmd replaces image cmd", api.ContainerCreate{Cmd: []string{"ls"}}, ocispec.ImageConfig{Cmd: []string{"echo"}}, []string{"ls"}},
		{"entrypoint + cmd", api.ContainerCreate{}, ocispec.ImageConfig{Entrypoint: []string{"nginx"}, Cmd: []string{"-g", "daemon off;"}}, []string{"nginx", "-g", "daemon off;"}},
		{"entrypoint + request cmd", api.ContainerCreate{Cmd: []string{"-v"}}, ocispec.ImageConfig{Entrypoint: []string{"nginx"}, Cmd: []string{"-g"}}, []string{"nginx", "-v"}},
		{"request entrypoint drops image cmd", api.ContainerCreate{Entrypoint: []string{"sh"}}, ocispec.ImageConfig{Entrypoint: []string{"nginx"}, Cmd: []string{"-g"}}, []string{"sh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := targetArgs(tt.req, tt.image)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %q %v, want %q", got, err, tt.want)
			}
		})
	}
	if _, err := targetArgs(api.ContainerCreate{}, ocispec.ImageConfig{}); !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "no command") {
		t.Errorf("no command: %v", err)
	}
}

func TestMergeEnv(t *testing.T) {
	got, err := mergeEnv([]string{"A=1", "PATH=/bin"}, []string{"B=2", "A=3", "PATH"}, "HOSTNAME=h", "A=extra")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PATH=" + envpath.Default, "A=3", "HOSTNAME=h", "B=2"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := mergeEnv(nil, []string{"=x"}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("empty name: %v", err)
	}
}

func TestCapabilitySet(t *testing.T) {
	got, err := capabilitySet([]string{"net_admin", "CAP_SYS_PTRACE"}, []string{"MKNOD", "cap_chown"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_KILL"} {
		if !slices.Contains(got, c) {
			t.Errorf("%s missing from %v", c, got)
		}
	}
	for _, c := range []string{"CAP_MKNOD", "CAP_CHOWN", "CAP_SYS_ADMIN"} {
		if slices.Contains(got, c) {
			t.Errorf("%s in %v", c, got)
		}
	}
	if got, _ := capabilitySet(nil, []string{"ALL"}); len(got) != 0 {
		t.Errorf("drop ALL: %v", got)
	}
	if _, err := capabilitySet([]string{"FLY"}, nil); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("unknown capability: %v", err)
	}
}

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in   string
		want unix.Signal
	}{
		{"9", unix.SIGKILL}, {"TERM", unix.SIGTERM}, {"sigusr1", unix.SIGUSR1}, {"SIGHUP", unix.SIGHUP},
		{"RTMIN+2", 36}, {"SIGRTMAX", 64},
	}
	for _, tt := range tests {
		if got, err := parseSignal(tt.in); err != nil || got != tt.want {
			t.Errorf("parseSignal(%q) = %v %v, want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "0", "65", "FOO", "RTMIN+40"} {
		if _, err := parseSignal(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("parseSignal(%q): %v", bad, err)
		}
	}
}

func TestRestartPolicy(t *testing.T) {
	tests := []struct {
		policy      api.RestartPolicy
		code, count int
		byUser      bool
		want        bool
	}{
		{api.RestartPolicy{}, 1, 0, false, false},
		{api.RestartPolicy{Name: "always"}, 0, 5, false, true},
		{api.RestartPolicy{Name: "always"}, 0, 5, true, false},
		{api.RestartPolicy{Name: "unless-stopped"}, 1, 0, false, true},
		{api.RestartPolicy{Name: "on-failure"}, 0, 0, false, false},
		{api.RestartPolicy{Name: "on-failure"}, 2, 100, false, true},
		{api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}, 2, 2, false, true},
		{api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}, 2, 3, false, false},
	}
	for _, tt := range tests {
		p, err := parseRestartPolicy(tt.policy)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.shouldRestart(tt.code, tt.count, tt.byUser); got != tt.want {
			t.Errorf("%+v code %d count %d byUser %v: %v", tt.policy, tt.code, tt.count, tt.byUser, got)
		}
	}
	for _, tt := range []struct {
		name          string
		byUser, start bool
	}{
		{"always", true, true}, {"always", false, true},
		{"unless-stopped", true, false}, {"unless-stopped", false, true},
		{"on-failure", false, false}, {"no", false, false},
	} {
		p, _ := parseRestartPolicy(api.RestartPolicy{Name: tt.name})
		if got := p.restartsAtDaemonStart(tt.byUser); got != tt.start {
			t.Errorf("%s stopped by user %v: restarts at daemon start %v, want %v", tt.name, tt.byUser, got, tt.start)
		}
	}
	for _, bad := range []api.RestartPolicy{{Name: "sometimes"}, {Name: "always", MaximumRetryCount: 2}, {Name: "on-failure", MaximumRetryCount: -1}} {
		if _, err := parseRestartPolicy(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if restartDelay(0) != backoffMin || restartDelay(3) != 8*backoffMin || restartDelay(100) != backoffMax {
		t.Errorf("backoff %v %v %v", restartDelay(0), restartDelay(3), restartDelay(100))
	}
}

func TestResolveUser(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\n# comment\nweb:x:33:34:web:/var/www:/bin/sh\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nwww:x:34:\nstaff:x:50:web,other\nlog:x:60:web\n"), 0o644)
	tests := []struct {
		spec      string
		uid, gid  uint32
		groups    []uint32
		home      string
		wantError error
	}{
		{"", 0, 0, nil, "/root", nil},
		{"web", 33, 34, []uint32{50, 60}, "/var/www", nil},
		{"33", 33, 34, []uint32{50, 60}, "/var/www", nil},
		{"web:staff", 33, 50, nil, "/var/www", nil},
		{"1234", 1234, 0, nil, "/", nil},
		{"1234:77", 1234, 77, nil, "/", nil},
		{"nobody", 0, 0, nil, "", errdefs.ErrInvalidArgument},
		{"web:nogroup", 0, 0, nil, "", errdefs.ErrInvalidArgument},
		{":0", 0, 0, nil, "", errdefs.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			u, err := resolveUser(root, tt.spec)
			if tt.wantError != nil {
				if !errors.Is(err, tt.wantError) {
					t.Errorf("error %v, want %v", err, tt.wantError)
				}
				return
			}
			if err != nil || u.UID != tt.uid || u.GID != tt.gid || !slices.Equal(u.AdditionalGids, tt.groups) || u.Home != tt.home {
				t.Errorf("got %+v %v", u, err)
			}
		})
	}
	// /etc/passwd as a symlink out of the root file system resolves
	// inside it (or fails), never on the host.
	evil := t.TempDir()
	os.MkdirAll(filepath.Join(evil, "etc"), 0o755)
	os.Symlink("/etc/passwd", filepath.Join(evil, "etc/passwd"))
	if u, err := resolveUser(evil, "root"); err == nil {
		t.Errorf("resolved through a symlink out of the root: %+v", u)
	}
}

func TestDetachKeys(t *testing.T) {
	keys, err := parseDetachKeys("")
	if err != nil || !slices.Equal(keys, []byte{16, 17}) {
		t.Fatalf("default keys %v %v", keys, err)
	}
	if k, err := parseDetachKeys("a,ctrl-@,ctrl-Z"); err != nil || !slices.Equal(k, []byte{'a', 0, 26}) {
		t.Errorf("a,ctrl-@,ctrl-Z: %v %v", k, err)
	}
	if _, err := parseDetachKeys("ctrl-1"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("bad key: %v", err)
	}
	d := &detacher{keys: keys}
	var out []byte
	for _, in := range [][]byte{[]byte("ab\x10"), []byte("c\x10"), []byte("\x10\x11rest")} {
		p, done := d.feed(in)
		out = append(out, p...)
		if done {
			if string(out) != "ab\x10c\x10" {
				t.Errorf("passed on %q", out)
			}
			return
		}
	}
	t.Error("sequence not found")
}

func TestStatusText(t *testing.T) {
	now := time.Now()
	tests := []struct {
		st   runState
		want string
	}{
		{runState{Status: StateCreated}, "Created"},
		{runState{Status: StateRunning, StartedAt: now.Add(-3 * time.Minute)}, "Up 3 minutes"},
		{runState{Status: StatePaused, StartedAt: now.Add(-5 * time.Second)}, "Up 5 seconds (Paused)"},
		{runState{Status: StateExited, ExitCode: 3, FinishedAt: now.Add(-2 * time.Hour)}, "Exited (3) 2 hours ago"},
		{runState{Status: StateRestarting, ExitCode: 1, FinishedAt: now}, "Restarting (1) Less than a second ago"},
	}
	for _, tt := range tests {
		if got := statusText(&record{State: tt.st}, now); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.st, got, tt.want)
		}
	}
}

func TestUserMountsValidation(t *testing.T) {
	for _, bad := range [][]api.Mount{
		{{Type: "bind", Source: "relative", Destination: "/x"}},
		{{Type: "bind", Source: "/", Destination: "x"}},
		{{Type: "tmpfs", Destination: "/"}},
		{{Type: "volume", Destination: "/x"}},
		{{Type: "tmpfs", Destination: "/x"}, {Type: "tmpfs", Destination: "/x/"}},
	} {
		if _, err := userMounts(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
