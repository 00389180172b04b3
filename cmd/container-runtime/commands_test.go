package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// TestDaemonNotRunning: every command says how to start the daemon.
func TestDaemonNotRunning(t *testing.T) {
	dir, err := os.MkdirTemp("", "crt-cli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	env := map[string]string{"CONTAINER_RUNTIME_HOST": "unix://" + filepath.Join(dir, "none.sock")}
	for _, args := range [][]string{{"list"}, {"image", "list"}, {"start", "a", "base", "host", "true"}, {"ps"}, {"version"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCLI(t, env, "", args...)
			if r.code != 125 {
				t.Errorf("code %d, want 125", r.code)
			}
			want := "container-runtime: cannot connect to the daemon at unix://" + filepath.Join(dir, "none.sock") +
				": it is not running; start it with `sudo container-runtimed &` or `systemctl start container-runtimed`\n"
			if r.stderr != want {
				t.Errorf("stderr %q, want %q", r.stderr, want)
			}
		})
	}
	t.Run("version still prints the client", func(t *testing.T) {
		r := runCLI(t, env, "", "version")
		if !strings.HasPrefix(r.stdout, "Client:\n Version:") || strings.Contains(r.stdout, "Server:") {
			t.Errorf("stdout %q", r.stdout)
		}
	})
	t.Run("host flag beats the environment", func(t *testing.T) {
		r := runCLI(t, env, "", "-H", "unix:///nonexistent/other.sock", "ps")
		if !strings.Contains(r.stderr, "unix:///nonexistent/other.sock") {
			t.Errorf("stderr %q", r.stderr)
		}
	})
}

// TestEnvironmentHost reads CONTAINER_RUNTIME_HOST from the process
// environment through main's getenv.
func TestEnvironmentHost(t *testing.T) {
	d := newFakeDaemon(t)
	d.answer("GET /v1/version", 200, `{"version":"9.9","apiVersion":"v1","goVersion":"go1.26","os":"linux","arch":"amd64"}`)
	t.Setenv("CONTAINER_RUNTIME_HOST", d.host)
	var out, errb strings.Builder
	code := run(t.Context(), []string{"version"}, stdio{in: strings.NewReader(""), out: &out, err: &errb}, os.Getenv)
	if code != 0 || !strings.Contains(out.String(), "Server:\n Version:           9.9\n") {
		t.Errorf("code %d stdout %q stderr %q", code, out.String(), errb.String())
	}
}

func TestExec(t *testing.T) {
	d := newFakeDaemon(t)
	var got api.ExecCreate
	gotStdin := make(chan string, 1)
	// One request creates and starts the exec.
	serve := attachScript{readStdin: true, gotStdin: gotStdin,
		frames: [][2]string{{"1", "out"}, {"2", "err"}}, exit: code(3)}.serve(t)
	d.handle("POST /v1/containers/web/exec", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.RawQuery; q != "start=1" {
			t.Errorf("exec query %q, want start=1", q)
		}
		decode(t, r, &got)
		w.Header().Set(api.ExecIDHeader, "e1")
		serve(w, r)
	})
	r := runCLI(t, map[string]string{"CONTAINER_RUNTIME_HOST": d.host, "FOO": "bar"}, "input",
		"exec", "-i", "-u", "nobody", "-e", "FOO", "-w", "/tmp", "web", "cat", "-n")
	if r.code != 3 || r.stdout != "out" || r.stderr != "err" {
		t.Errorf("got %+v", r)
	}
	want := api.ExecCreate{Cmd: []string{"cat", "-n"}, Env: []string{"FOO=bar"}, WorkingDir: "/tmp", User: "nobody", Stdin: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exec create %+v, want %+v", got, want)
	}
	if s := <-gotStdin; s != "input" {
		t.Errorf("stdin %q", s)
	}
}

func TestExecExitCodes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		code   int
	}{
		{"not found", 400, `{"kind":"invalid_argument","message":"exec: \"nope\": executable file not found in $PATH"}`, 127},
		{"not running", 409, `{"kind":"conflict","message":"container web is not running"}`, 125},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.answer("POST /v1/containers/web/exec", tc.status, tc.body)
			if r := d.run("", "exec", "web", "nope"); r.code != tc.code {
				t.Errorf("got %+v, want code %d", r, tc.code)
			}
		})
	}
}

// TestExecStreamEndsWithoutExit checks that an exec whose stream ends
// without an Exit frame exits with the code exec inspect gives, found by
// the id in the answer's header; without the header it fails.
func TestExecStreamEndsWithoutExit(t *testing.T) {
	for _, tc := range []struct {
		name, id string
		code     int
	}{
		{"with the exec id", "e1", 7},
		{"no exec id", "", 125},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			serve := attachScript{frames: [][2]string{{"1", "out"}}}.serve(t)
			d.handle("POST /v1/containers/web/exec", func(w http.ResponseWriter, r *http.Request) {
				if tc.id != "" {
					w.Header().Set(api.ExecIDHeader, tc.id)
				}
				serve(w, r)
			})
			d.answer("GET /v1/exec/e1", 200, `{"id":"e1","running":false,"exitCode":7}`)
			if r := d.run("", "exec", "web", "true"); r.code != tc.code || r.stdout != "out" {
				t.Errorf("got %+v, want code %d", r, tc.code)
			}
		})
	}
}

func TestLogs(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/containers/web/logs", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Encode(); q != "follow=1&since=2025-01-01T00%3A00%3A00Z&stderr=1&stdout=1&tail=5&timestamps=1&until=1700000000" {
			t.Errorf("query %q", q)
		}
		writeFrame(w, api.Stdout, "a\n")
		writeFrame(w, api.Stderr, "b\n")
	})
	r := d.run("", "logs", "-f", "--tail", "5", "-t", "--since", "2025-01-01T00:00:00Z", "--until", "1700000000", "web")
	if r.code != 0 || r.stdout != "a\n" || r.stderr != "b\n" {
		t.Errorf("got %+v", r)
	}
}

func TestEvents(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/events", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Encode(); q != "id=web&since=0&type=container&until=100" {
			t.Errorf("query %q", q)
		}
		io.WriteString(w, `{"time":"2025-01-02T03:04:05Z","type":"container","action":"start","id":"c1","name":"web","pid":42}`+"\n")
		io.WriteString(w, `{"time":"2025-01-02T03:04:06Z","type":"container","action":"die","id":"c1","exitCode":0}`+"\n")
	})
	args := []string{"events", "--since", "0", "--until", "100", "--filter", "type=container", "--filter", "container=web"}
	r := d.run("", args...)
	// Docker's line: the local time with nanoseconds, type, action, id,
	// the attributes.
	at := func(sec int) string { return time.Date(2025, 1, 2, 3, 4, sec, 0, time.UTC).Local().Format(eventTime) }
	want := at(5) + " container start c1 (name=web, pid=42)\n" + at(6) + " container die c1 (exitCode=0)\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("got %+v, want stdout %q", r, want)
	}
	t.Run("json", func(t *testing.T) {
		// Docker's events.Message, with our pid as an extra field.
		r := d.run("", append(args, "--format", "json")...)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		want := `{"status":"start","id":"c1","Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"name":"web","pid":"42"}},"scope":"local","time":1735787045,"timeNano":1735787045000000000,"pid":42}`
		if len(lines) != 2 || lines[0] != want {
			t.Errorf("json output %q, want first line %s", r.stdout, want)
		}
	})
	t.Run("template", func(t *testing.T) {
		r := d.run("", append(args, "--format", "{{.Status}} {{.ID}} {{.Action}} {{.Type}} {{.Actor.Attributes.name}}|{{.Actor.Attributes.exitCode}}")...)
		if want := "start c1 start container web|<no value>\ndie c1 die container <no value>|0\n"; r.code != 0 || r.stdout != want {
			t.Errorf("got %+v, want %q", r, want)
		}
	})
}

func TestInspect(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/containers/web", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: "c1", Name: "web"},
			StateDetail: api.ContainerState{Pid: 42},
			StartPhases: []api.Phase{{Name: "rootfs", Duration: time.Millisecond}}})
	})
	d.answer("GET /v1/containers/base", 404, `{"kind":"not_found","message":"no such container: base"}`)
	d.answer("GET /v1/containers/nope", 404, `{"kind":"not_found","message":"no such container: nope"}`)
	d.answer("GET /v1/images/nope", 404, `{"kind":"not_found","message":"no such image: nope"}`)
	d.handle("GET /v1/images/base", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, api.ImageInspect{ImageSummary: api.ImageSummary{ID: "sha256:ab"}, OS: "linux"})
	})
	t.Run("container then image", func(t *testing.T) {
		r := d.run("", "inspect", "web", "base")
		var got []map[string]any
		if r.code != 0 || jsonUnmarshal(r.stdout, &got) != nil || len(got) != 2 || got[0]["Name"] != "/web" || got[1]["Os"] != "linux" {
			t.Errorf("got %+v", r)
		}
		if !strings.Contains(r.stdout, `"startPhases"`) {
			t.Errorf("no start phases in %s", r.stdout)
		}
	})
	t.Run("template", func(t *testing.T) {
		r := d.run("", "inspect", "-f", "{{.StateDetail.Pid}}", "web")
		if r.code != 0 || r.stdout != "42\n" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("not found", func(t *testing.T) {
		r := d.run("", "inspect", "nope")
		if r.code != 125 || r.stdout != "[]\n" || r.stderr != "container-runtime: no container or image named nope\n" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("image inspect", func(t *testing.T) {
		r := d.run("", "image", "inspect", "base")
		if r.code != 0 || !strings.Contains(r.stdout, `"sha256:ab"`) {
			t.Errorf("got %+v", r)
		}
	})
}

// TestSimpleCommands checks the commands that map to one call each.
func TestSimpleCommands(t *testing.T) {
	d := newFakeDaemon(t)
	for _, p := range []string{"POST /v1/containers/{id}/kill", "POST /v1/containers/{id}/restart",
		"POST /v1/containers/{id}/pause", "POST /v1/containers/{id}/unpause", "DELETE /v1/containers/{id}",
		"POST /v1/images/{ref}/tag"} {
		d.answer(p, 204, "")
	}
	d.answer("POST /v1/containers/{id}/wait", 200, `{"statusCode":4}`)
	d.answer("DELETE /v1/images/{ref}", 200, `["base:latest","sha256:abc"]`)
	d.answer("GET /v1/system/df", 200, `{"imagesSize":1500000,"logsSize":10}`)
	d.answer("POST /v1/system/prune", 200, `{"deleted":["c1"],"spaceReclaimed":2000000}`)
	d.answer("POST /v1/images/prune", 200, `{"spaceReclaimed":0}`)
	d.answer("GET /v1/images/{ref}/history", 200, `[{"createdBy":"RUN apt-get install -y nginx"}]`)
	d.answer("GET /v1/containers/{id}/trace", 200, "write(1, \"x\", 1) = 1\n")
	cases := []struct {
		args   []string
		stdin  string
		call   string
		stdout string
	}{
		{[]string{"kill", "web"}, "", "POST /v1/containers/web/kill?signal=KILL", "web\n"},
		{[]string{"kill", "-s", "HUP", "web"}, "", "POST /v1/containers/web/kill?signal=HUP", "web\n"},
		{[]string{"restart", "-t", "1", "web"}, "", "POST /v1/containers/web/restart?t=1", "web\n"},
		{[]string{"pause", "web"}, "", "POST /v1/containers/web/pause", "web\n"},
		{[]string{"unpause", "web"}, "", "POST /v1/containers/web/unpause", "web\n"},
		{[]string{"rm", "-f", "web"}, "", "DELETE /v1/containers/web?force=1", "web\n"},
		{[]string{"rm", "web"}, "", "DELETE /v1/containers/web", "web\n"},
		{[]string{"wait", "web"}, "", "POST /v1/containers/web/wait?condition=not-running", "4\n"},
		{[]string{"rmi", "base"}, "", "DELETE /v1/images/base", "Untagged: base:latest\nDeleted: sha256:abc\n"},
		{[]string{"image", "rm", "-f", "base"}, "", "DELETE /v1/images/base?force=1", "Untagged: base:latest\nDeleted: sha256:abc\n"},
		{[]string{"image", "tag", "base", "mine:1"}, "", "POST /v1/images/base/tag", ""},
		{[]string{"system", "df"}, "", "GET /v1/system/df",
			"TYPE            SIZE\nImages          1.5MB\nLayers          0B\nContainers      0B\nLogs            10B\nBuild cache     0B\nLocal Volumes   0B\n"},
		{[]string{"system", "prune", "-f"}, "", "POST /v1/system/prune", "Deleted:\nc1\n\nTotal reclaimed space: 2MB\n"},
		{[]string{"system", "prune", "-f", "-a", "--volumes"}, "", "POST /v1/system/prune?all=1&volumes=1", "Deleted:\nc1\n\nTotal reclaimed space: 2MB\n"},
		{[]string{"system", "prune", "--volumes"}, "yes\n", "POST /v1/system/prune?volumes=1",
			"WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all anonymous volumes not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue? [y/N] Deleted:\nc1\n\nTotal reclaimed space: 2MB\n"},
		{[]string{"image", "prune", "-a"}, "y\n", "POST /v1/images/prune?all=1",
			"WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] Total reclaimed space: 0B\n"},
		{[]string{"image", "history", "base"}, "", "GET /v1/images/base/history",
			"IMAGE       CREATED   CREATED BY                     SIZE   COMMENT\n<missing>             RUN apt-get install -y nginx   0B     \n"},
		{[]string{"trace", "web"}, "", "GET /v1/containers/web/trace", "write(1, \"x\", 1) = 1\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := d.run(tc.stdin, tc.args...)
			calls := d.called()
			if r.code != 0 || r.stdout != tc.stdout {
				t.Errorf("got %+v, want stdout %q", r, tc.stdout)
			}
			if len(calls) == 0 || calls[len(calls)-1] != tc.call {
				t.Errorf("last call %q, want %q", calls[len(calls)-1:], tc.call)
			}
		})
	}
	t.Run("prune declined", func(t *testing.T) {
		before := len(d.called())
		r := d.run("n\n", "system", "prune")
		if r.code != 0 || len(d.called()) != before {
			t.Errorf("got %+v; calls %q", r, d.called()[before:])
		}
	})
}

func TestDetachKeys(t *testing.T) {
	cases := []struct {
		spec string
		want []byte
		err  bool
	}{
		{"ctrl-p,ctrl-q", []byte{16, 17}, false},
		{"ctrl-a,d", []byte{1, 'd'}, false},
		{"ctrl-@,ctrl-_", []byte{0, 31}, false},
		{"ctrl-1", nil, true},
		{"", nil, true},
		{"ab", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := parseDetachKeys(tc.spec)
			if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseDetachKeys(%q) = %v, %v", tc.spec, got, err)
			}
		})
	}
}

func TestDetachReader(t *testing.T) {
	keys := []byte{16, 17}
	cases := []struct {
		name     string
		in       string
		want     string
		detached bool
	}{
		{"no keys", "hello", "hello", false},
		{"detach", "ab\x10\x11cd", "ab", true},
		{"broken sequence is input", "a\x10b", "a\x10b", false},
		{"repeated first key", "\x10\x10\x11", "\x10", true},
		{"sequence start at EOF", "a\x10", "a\x10", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time, so that the sequence spans reads.
			r := newDetachReader(iotestOneByte(strings.NewReader(tc.in)), keys)
			got, err := io.ReadAll(r)
			if string(got) != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
			if (err == errDetached) != tc.detached {
				t.Errorf("err %v, detached want %v", err, tc.detached)
			}
		})
	}
}

// iotestOneByte reads one byte per call.
func iotestOneByte(r io.Reader) io.Reader { return oneByteReader{r} }

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestTimeArg(t *testing.T) {
	now := time.Unix(1000, 0)
	cases := map[string]string{
		"10m":                  "400.000",
		"1h":                   "-2600.000",
		"0":                    "0",
		"1714557600.5":         "1714557600.5",
		"2024-05-01T10:00:00Z": "2024-05-01T10:00:00Z",
		"":                     "",
	}
	for in, want := range cases {
		if got := timeArg(in, now); got != want {
			t.Errorf("timeArg(%q) = %q, want %q", in, got, want)
		}
	}
}
