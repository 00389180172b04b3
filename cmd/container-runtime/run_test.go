package main

import (
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func intp(v int) *int { return &v }

// TestRunFlags checks that run's flags become the create request, and
// that flags stop at the image.
func TestRunFlags(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# comment\nFROMFILE=1\n\nHOME_COPY\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cwd, _ := os.Getwd()
	cases := []struct {
		name string
		args []string
		want api.ContainerCreate
	}{
		{"minimal", []string{"base"}, api.ContainerCreate{Image: "base", RestartPolicy: api.RestartPolicy{Name: "no"}}},
		{"flags stop at the image", []string{"--name", "n", "base", "ls", "-l", "--rm"},
			api.ContainerCreate{Name: "n", Image: "base", Cmd: []string{"ls", "-l", "--rm"}, RestartPolicy: api.RestartPolicy{Name: "no"}}},
		{"everything", []string{
			"--rm", "-i", "-t", "-e", "A=1", "-e", "HOME_COPY", "-e", "UNSET", "--env-file", envFile,
			"-w", "/w", "-u", "1000:1000", "-h", "box", "--network", "none", "-l", "k=v",
			"--memory", "512m", "--cpus", "1.5", "--pids-limit", "100", "-c", "512", "--cpuset-cpus", "0-1",
			"-v", "/src:/dst:ro", "-v", "./rel:/rel", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777",
			"--mount", "type=bind,source=/a,target=/b,readonly", "--tmpfs", "/run:size=64k,noexec",
			"--read-only", "--cap-add", "NET_ADMIN,SYS_TIME", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
			"--privileged", "--init", "--userns", "private", "--stop-signal", "SIGINT", "--stop-timeout", "0",
			"--hook", "start:/bin/hook", "--log-opt", "max-size=10m,max-file=3", "--entrypoint", "",
			"base", "sh"},
			api.ContainerCreate{
				Image: "base", Cmd: []string{"sh"}, Entrypoint: []string{""},
				Env:        []string{"FROMFILE=1", "HOME_COPY=/home/me", "A=1", "HOME_COPY=/home/me"},
				WorkingDir: "/w", User: "1000:1000", Hostname: "box", Network: "none",
				Labels: map[string]string{"k": "v"}, Tty: true, OpenStdin: true,
				Resources: api.Resources{Memory: 512 << 20, NanoCPUs: 1_500_000_000, PidsLimit: 100, CPUShares: 512, CpusetCpus: "0-1"},
				Mounts: []api.Mount{
					{Type: "bind", Source: "/src", Destination: "/dst", ReadOnly: true},
					{Type: "bind", Source: filepath.Join(cwd, "rel"), Destination: "/rel"},
					{Type: "tmpfs", Destination: "/t", Options: []string{"size=1048576", "mode=1777"}},
					{Type: "bind", Source: "/a", Destination: "/b", ReadOnly: true},
					{Type: "tmpfs", Destination: "/run", Options: []string{"size=64k", "noexec"}},
				},
				ReadOnly: true, CapAdd: []string{"NET_ADMIN", "SYS_TIME"}, CapDrop: []string{"ALL"},
				SecurityOpt: []string{"no-new-privileges"}, Privileged: true, Init: true, Userns: "private",
				RestartPolicy: api.RestartPolicy{Name: "no"}, AutoRemove: true,
				StopSignal: "SIGINT", StopTimeout: intp(0),
				Hooks: []api.Hook{{Stage: "start", Path: "/bin/hook", Args: []string{"/bin/hook"}}},
				Log:   api.LogOpts{MaxSize: 10 << 20, MaxFiles: 3},
			}},
		{"network options", []string{"--network", "front", "-p", "8080:80", "-p", "127.0.0.1:5353:53/udp", "-p", "127.0.0.1::9000",
			"-p", "443/TCP", "-P", "--dns", "192.0.2.53", "--add-host", "db:192.0.2.10", "--add-host", "gw:host-gateway", "base"},
			api.ContainerCreate{Image: "base", Network: "front", RestartPolicy: api.RestartPolicy{Name: "no"},
				Ports: []api.PortBinding{
					{HostPort: 8080, ContainerPort: 80, Proto: "tcp"},
					{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Proto: "udp"},
					{HostIP: "127.0.0.1", ContainerPort: 9000, Proto: "tcp"},
					{ContainerPort: 443, Proto: "tcp"},
				},
				PublishAll: true, DNS: []string{"192.0.2.53"}, ExtraHosts: []string{"db:192.0.2.10", "gw:host-gateway"}}},
		{"restart on-failure", []string{"--restart", "on-failure:3", "base"},
			api.ContainerCreate{Image: "base", RestartPolicy: api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			var got api.ContainerCreate
			d.handle("POST /v1/containers", func(w http.ResponseWriter, r *http.Request) {
				decode(t, r, &got)
				answerJSON(w, 201, api.ContainerCreated{ID: "c1", Warnings: []string{"careful"}})
			})
			env := map[string]string{"CONTAINER_RUNTIME_HOST": d.host, "HOME_COPY": "/home/me"}
			r := runCLI(t, env, "", append([]string{"create"}, tc.args...)...)
			if r.code != 0 || r.stdout != "c1\n" || r.stderr != "WARNING: careful\n" {
				t.Fatalf("got %+v", r)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("create\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// TestRunFlagErrors checks that bad flags fail with 125 before any call.
func TestRunFlagErrors(t *testing.T) {
	cases := [][]string{
		{"--memory", "lots", "base"},
		{"--restart", "sometimes", "base"},
		{"--restart", "always:3", "base"},
		{"--rm", "--restart", "always", "base"},
		{"-v", "named:relative", "base"},
		{"-v", "relative", "base"},
		{"--mount", "type=volume,target=/x,volume-opt=o=bind", "base"},
		{"--mount", "type=bind,target=/x", "base"},
		{"--tmpfs", "rel", "base"},
		{"--hook", "start", "base"},
		{"--log-opt", "max-files=3", "base"},
		{"--detach-keys", "ctrl-1", "base"},
		{"-p", "80:http", "base"},
		{"-p", "0", "base"},
		{"-p", "70000:80", "base"},
		{"-p", "80/sctp", "base"},
		{"-p", "::1:8080:80", "base"},
		{"-p", "host:8080:80", "base"},
		{"--no-such-flag", "base"},
	}
	d := newFakeDaemon(t)
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := d.run("", append([]string{"run"}, args...)...)
			if r.code != 125 || !strings.HasPrefix(r.stderr, "container-runtime: ") {
				t.Errorf("got %+v, want code 125 and a message", r)
			}
		})
	}
	// As Docker: a wrong number of arguments is a usage error, exit 1.
	if r := d.run("", "run"); r.code != 1 || !strings.Contains(r.stderr, "'container-runtime run' requires at least 1 argument") {
		t.Errorf("run without an image: got %+v, want code 1 and the usage", r)
	}
	if calls := d.called(); len(calls) != 0 {
		t.Errorf("the daemon was called: %q", calls)
	}
}

// TestRunExitCodes checks Docker's exit codes for run, against a daemon
// that ignores attach's start=1 (older than it): the CLI starts the
// container itself (TestRunAttachStarts: one that starts it in the attach).
func TestRunExitCodes(t *testing.T) {
	cases := []struct {
		name      string
		createErr string // a JSON api.Error answered to create
		startErr  string // a JSON api.Error answered to start
		exit      *int32
		code      int
		stderr    string
	}{
		{name: "container code", exit: code(42), code: 42},
		{name: "success", exit: code(0), code: 0},
		{name: "image not found", createErr: `{"kind":"not_found","message":"no such image: nope"}`, code: 125,
			stderr: "container-runtime: no such image: nope\n"},
		{name: "command not found", startErr: `{"kind":"invalid_argument","message":"starting container c1: process.args[0] \"nope\": executable file not found in $PATH"}`,
			code: 127, stderr: "container-runtime: starting container c1: process.args[0] \"nope\": executable file not found in $PATH\n"},
		{name: "no such file", startErr: `{"kind":"invalid_argument","message":"process.args[0] \"/x\": stat /x: no such file or directory"}`, code: 127},
		{name: "cannot invoke", startErr: `{"kind":"invalid_argument","message":"process.args[0] \"/etc\": permission denied"}`, code: 126},
		{name: "engine failure", startErr: `{"kind":"internal","message":"mounting rootfs: device busy"}`, code: 125},
		{name: "startup command failed", startErr: `{"kind":"conflict","message":"startup command [\"false\"] failed with exit code 1"}`, code: 125},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			started := make(chan struct{})
			if tc.createErr != "" {
				d.answer("POST /v1/containers", 404, tc.createErr)
			} else {
				d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
			}
			d.handle("POST /v1/containers/c1/attach", attachScript{started: started, exit: tc.exit}.serve(t))
			d.handle("POST /v1/containers/c1/start", func(w http.ResponseWriter, r *http.Request) {
				if tc.startErr != "" {
					w.WriteHeader(400)
					w.Write([]byte(tc.startErr))
					return
				}
				w.WriteHeader(204)
				close(started)
			})
			d.answer("DELETE /v1/containers/c1", 204, "")
			d.answer("POST /v1/containers/c1/wait", 200, `{"statusCode":0}`)
			// The image is there: a create's not-found is about something
			// else, and run does not pull (pullpolicy_test.go).
			d.answer("GET /v1/images/base", 200, `{"id":"sha256:00"}`)
			r := d.run("", "run", "--rm", "base", "nope")
			if r.code != tc.code {
				t.Errorf("code %d, want %d (stderr %q)", r.code, tc.code, r.stderr)
			}
			if tc.stderr != "" && r.stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", r.stderr, tc.stderr)
			}
			if tc.startErr != "" && !contains(d.called(), "DELETE /v1/containers/c1?force=1") {
				t.Errorf("a --rm container that failed to start was not removed: %q", d.called())
			}
		})
	}
}

// TestRunDetached checks run -d: start, print the id, no attach.
func TestRunDetached(t *testing.T) {
	d := newFakeDaemon(t)
	d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
	d.answer("POST /v1/containers/c1/start", 204, "")
	r := d.run("", "run", "-d", "--name", "web", "base", "sleep", "1")
	if r.code != 0 || r.stdout != "c1\n" {
		t.Errorf("got %+v", r)
	}
	if want := []string{"POST /v1/containers", "POST /v1/containers/c1/start"}; !reflect.DeepEqual(d.called(), want) {
		t.Errorf("calls %q, want %q", d.called(), want)
	}
}

// TestRunInteractive forwards stdin (-i without a terminal) and closes it
// at EOF.
func TestRunInteractive(t *testing.T) {
	d := newFakeDaemon(t)
	gotStdin := make(chan string, 1)
	d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
	d.handle("POST /v1/containers/c1/attach", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("stdin") != "1" {
			t.Errorf("attach without stdin: %q", r.URL.RawQuery)
		}
		attachScript{readStdin: true, gotStdin: gotStdin, frames: [][2]string{{"1", "HELLO\n"}}, exit: code(0)}.serve(t)(w, r)
	})
	d.answer("POST /v1/containers/c1/start", 204, "")
	r := d.run("hello\nworld\n", "run", "-i", "base", "tr", "a-z", "A-Z")
	if r.code != 0 || r.stdout != "HELLO\n" {
		t.Errorf("got %+v", r)
	}
	if got := <-gotStdin; got != "hello\nworld\n" {
		t.Errorf("stdin %q", got)
	}
}

// TestRunStreamLost: a stream that ends without an exit frame takes the
// code from wait.
func TestRunStreamLost(t *testing.T) {
	d := newFakeDaemon(t)
	d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
	d.handle("POST /v1/containers/c1/attach", attachScript{}.serve(t))
	d.answer("POST /v1/containers/c1/start", 204, "")
	d.answer("POST /v1/containers/c1/wait", 200, `{"statusCode":9}`)
	if r := d.run("", "run", "base"); r.code != 9 {
		t.Errorf("got %+v", r)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestRunAttachStarts checks run against a daemon that starts the
// container in the attach (start=1): no separate start, the output and
// exit code of the stream, and a failed start answered to the attach
// mapped to Docker's codes, the --rm container removed.
func TestRunAttachStarts(t *testing.T) {
	cases := []struct {
		name     string
		startErr string // a JSON api.Error answered to the attach
		code     int
		stdout   string
	}{
		{name: "started", code: 3, stdout: "hi\n"},
		{name: "command not found", startErr: `{"kind":"invalid_argument","message":"process.args[0] \"nope\": executable file not found in $PATH"}`, code: 127},
		{name: "engine failure", startErr: `{"kind":"internal","message":"mounting rootfs: device busy"}`, code: 125},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
			d.handle("POST /v1/containers/c1/attach", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("start") != "1" {
					t.Errorf("attach without start=1: %q", r.URL.RawQuery)
				}
				if tc.startErr != "" {
					w.WriteHeader(400)
					w.Write([]byte(tc.startErr))
					return
				}
				w.Header().Set(api.StartedHeader, "1")
				conn, rw := hijack(t, w)
				if conn == nil {
					return
				}
				defer conn.Close()
				writeFrame(rw, api.Stdout, "hi\n")
				writeExit(rw, 3)
				rw.Flush()
			})
			d.answer("DELETE /v1/containers/c1", 204, "")
			d.answer("POST /v1/containers/c1/wait", 404, `{"kind":"not_found","message":"no such container: c1"}`)
			r := d.run("", "run", "--rm", "base", "nope")
			if r.code != tc.code || r.stdout != tc.stdout {
				t.Errorf("got %+v, want code %d and stdout %q", r, tc.code, tc.stdout)
			}
			calls := d.called()
			if contains(calls, "POST /v1/containers/c1/start") {
				t.Errorf("a separate start after the attach started the container: %q", calls)
			}
			if removed := contains(calls, "DELETE /v1/containers/c1?force=1"); removed != (tc.startErr != "") {
				t.Errorf("removed by the CLI %v, want %v: %q", removed, tc.startErr != "", calls)
			}
		})
	}
}

// TestRunRmExitAfterRemoval: run --rm asks for the removal after the exit
// frame only when the daemon does not say that it sends that frame once
// the container is removed (api.ExitAfterRemovalHeader).
func TestRunRmExitAfterRemoval(t *testing.T) {
	for _, after := range []bool{true, false} {
		d := newFakeDaemon(t)
		d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
		d.handle("POST /v1/containers/c1/attach", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(api.StartedHeader, "1")
			if after {
				w.Header().Set(api.ExitAfterRemovalHeader, "1")
			}
			conn, rw := hijack(t, w)
			if conn == nil {
				return
			}
			defer conn.Close()
			writeExit(rw, 0)
			rw.Flush()
		})
		d.answer("POST /v1/containers/c1/wait", 404, `{"kind":"not_found","message":"no such container: c1"}`)
		if r := d.run("", "run", "--rm", "base", "true"); r.code != 0 {
			t.Errorf("exit after removal %v: got %+v", after, r)
		}
		waited := false
		for _, c := range d.called() {
			waited = waited || strings.HasPrefix(c, "POST /v1/containers/c1/wait")
		}
		if waited == after {
			t.Errorf("exit after removal %v: waited for the removal %v: %q", after, waited, d.called())
		}
	}
}
