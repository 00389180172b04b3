package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// seedDaemon answers the calls of the seed's start for container c1 named
// web: the start event (pid 42) on events, output and exit code on attach.
func seedDaemon(t *testing.T, exit int32, events bool) (*fakeDaemon, *api.ContainerCreate) {
	d := newFakeDaemon(t)
	var got api.ContainerCreate
	started := make(chan struct{})
	d.handle("POST /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		decode(t, r, &got)
		answerJSON(w, 201, api.ContainerCreated{ID: "c1"})
	})
	d.handle("POST /v1/containers/c1/attach", attachScript{
		started: started,
		frames:  [][2]string{{"1", "hi\n"}, {"2", "warn\n"}, {"1", "there\n"}},
		exit:    code(exit),
	}.serve(t))
	d.handle("POST /v1/containers/c1/start", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(204)
		close(started)
	})
	if events {
		d.handle("GET /v1/events", func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Get("id") != "c1" || q.Get("type") != "container" || q.Get("since") == "" {
				t.Errorf("events query %q", r.URL.RawQuery)
			}
			w.WriteHeader(200)
			<-started
			io.WriteString(w, `{"type":"container","action":"start","id":"c1","pid":42}`+"\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
	} else {
		d.answer("GET /v1/events", 500, `{"kind":"internal","message":"no events"}`)
		d.handle("GET /v1/containers/c1", func(w http.ResponseWriter, r *http.Request) {
			answerJSON(w, 200, api.ContainerInspect{StateDetail: api.ContainerState{Pid: 7}})
		})
	}
	d.answer("POST /v1/containers/c1/wait", 404, `{"kind":"not_found","message":"no such container: c1"}`)
	return d, &got
}

// TestSeedStart runs the seed's `start NAME IMAGE NETWORK COMMAND ARGS...`.
func TestSeedStart(t *testing.T) {
	cases := []struct {
		name   string
		events bool
		exit   int32
		pid    string
	}{
		{"pid from the start event", true, 0, "42"},
		{"pid from inspect", false, 3, "7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, got := seedDaemon(t, tc.exit, tc.events)
			r := d.run("", "start", "web", "base", "host", "sh", "-c", "echo hi; echo warn >&2", "--x")
			if r.code != int(tc.exit) {
				t.Errorf("exit code %d, want %d (stderr %q)", r.code, tc.exit, r.stderr)
			}
			want := api.ContainerCreate{Name: "web", Image: "base", Network: "host",
				Cmd: []string{"sh", "-c", "echo hi; echo warn >&2", "--x"}, AutoRemove: true}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("create %+v, want %+v", *got, want)
			}
			if r.stdout != "hi\nthere\n" {
				t.Errorf("stdout %q", r.stdout)
			}
			wantErr := "container web started (pid " + tc.pid + ")\nwarn\ncontainer web exited with code " +
				map[int32]string{0: "0", 3: "3"}[tc.exit] + "\n"
			if r.stderr != wantErr {
				t.Errorf("stderr %q, want %q", r.stderr, wantErr)
			}
			// Attached before the start, and waited for the removal.
			calls := strings.Join(d.called(), "\n")
			if !regexp.MustCompile(`(?s)POST /v1/containers\n.*POST /v1/containers/c1/attach\?.*POST /v1/containers/c1/start.*POST /v1/containers/c1/wait\?condition=removed`).MatchString(calls) {
				t.Errorf("calls in the wrong order:\n%s", calls)
			}
		})
	}
}

// TestStartForms checks how start tells the seed's form from Docker's.
func TestStartForms(t *testing.T) {
	d := newFakeDaemon(t)
	d.answer("POST /v1/containers/{id}/start", 204, "")
	d.answer("POST /v1/containers/nope/start", 404, `{"kind":"not_found","message":"no such container: nope"}`)
	cases := []struct {
		args      []string
		code      int
		stdout    string
		stderr    string
		wantCalls []string
	}{
		{[]string{"start", "web"}, 0, "web\n", "", []string{"POST /v1/containers/web/start"}},
		{[]string{"start", "a", "b", "c"}, 0, "a\nb\nc\n", "",
			[]string{"POST /v1/containers/a/start", "POST /v1/containers/b/start", "POST /v1/containers/c/start"}},
		{[]string{"start", "a", "nope"}, 125, "a\n", "container-runtime: no such container: nope\n",
			[]string{"POST /v1/containers/a/start", "POST /v1/containers/nope/start"}},
		{[]string{"start", "-a", "a", "b"}, 125, "", "container-runtime: cannot start and attach to several containers at once\n", nil},
		{[]string{"start"}, 1, "", "", nil},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := len(d.called())
			r := d.run("", tc.args...)
			if r.code != tc.code || r.stdout != tc.stdout || (tc.stderr != "" && r.stderr != tc.stderr) {
				t.Errorf("got %d %q %q, want %d %q %q", r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if calls := d.called()[before:]; !reflect.DeepEqual(calls, tc.wantCalls) && (len(calls) > 0 || len(tc.wantCalls) > 0) {
				t.Errorf("calls %q, want %q", calls, tc.wantCalls)
			}
		})
	}
}

// TestStartAttach is Docker's start -a: exit with the container's code.
func TestStartAttach(t *testing.T) {
	d := newFakeDaemon(t)
	started := make(chan struct{})
	d.handle("GET /v1/containers/web", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: "c1", Name: "web"}})
	})
	d.handle("POST /v1/containers/c1/attach", attachScript{started: started, frames: [][2]string{{"1", "out\n"}}, exit: code(5)}.serve(t))
	d.handle("POST /v1/containers/c1/start", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(204)
		close(started)
	})
	r := d.run("", "start", "-a", "web")
	if r.code != 5 || r.stdout != "out\n" || r.stderr != "" {
		t.Errorf("got %+v", r)
	}
}

// TestSeedList checks the seed's list and Docker's ps.
func TestSeedList(t *testing.T) {
	d := newFakeDaemon(t)
	list := []api.ContainerSummary{
		{ID: "0123456789abcdef0123", Name: "web", Image: "base", Command: []string{"nginx", "-g", "daemon off;"},
			State: "running", Status: "Up 2 minutes", Pid: 42, Network: "host",
			Ports: []api.PortBinding{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, {HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Proto: "udp"}}},
		{ID: "fedcba9876543210fedc", Name: "db", Image: "pg", Command: []string{"postgres"},
			State: "exited", Status: "", Network: "none"},
	}
	d.handle("GET /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("all") == "1" {
			answerJSON(w, 200, list)
		} else {
			answerJSON(w, 200, list[:1])
		}
	})
	cases := []struct {
		args []string
		want []string // lines, columns separated by runs of spaces
	}{
		{[]string{"list"}, []string{
			"NAME IMAGE NETWORK PID STATUS COMMAND",
			`web base host 42 Up 2 minutes "nginx -g daemon off;"`}},
		{[]string{"list", "-a"}, []string{
			"NAME IMAGE NETWORK PID STATUS COMMAND",
			`web base host 42 Up 2 minutes "nginx -g daemon off;"`,
			`db pg none - exited "postgres"`}},
		{[]string{"ps"}, []string{
			"CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NETWORK NAMES",
			`0123456789ab base "nginx -g daemon off;" Up 2 minutes 0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp host web`}},
		{[]string{"ps", "-a", "-q"}, []string{"0123456789ab", "fedcba987654"}},
		{[]string{"ps", "-q", "--no-trunc"}, []string{"0123456789abcdef0123"}},
		{[]string{"ps", "-a", "--format", "{{.Name}}:{{.State}}"}, []string{"web:running", "db:exited"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := d.run("", tc.args...)
			if r.code != 0 {
				t.Fatalf("code %d: %s", r.code, r.stderr)
			}
			if got := squeeze(r.stdout); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("output:\n%s\nwant:\n%s", r.stdout, strings.Join(tc.want, "\n"))
			}
		})
	}
	t.Run("ps --format json", func(t *testing.T) {
		r := d.run("", "ps", "-a", "--format", "json")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || len(lines) != 2 {
			t.Fatalf("got %+v", r)
		}
		// Docker's ps --format json: its field names, every value a string.
		var s map[string]string
		if err := jsonUnmarshal(lines[1], &s); err != nil || s["Names"] != "db" || s["ID"] != shortID(list[1].ID) || s["State"] != "exited" {
			t.Errorf("second line %q: %+v %v", lines[1], s, err)
		}
	})
	t.Run("table columns are aligned", func(t *testing.T) {
		r := d.run("", "ps", "-a")
		lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		col := strings.Index(lines[0], "IMAGE")
		for _, l := range lines[1:] {
			if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
				t.Errorf("IMAGE column not at %d in %q", col, l)
			}
		}
	})
}

// TestSeedStop is the seed's `stop NAME`, and Docker's stop -t with
// several containers.
func TestSeedStop(t *testing.T) {
	d := newFakeDaemon(t)
	d.answer("POST /v1/containers/web/stop", 204, "")
	d.answer("POST /v1/containers/gone/stop", 404, `{"kind":"not_found","message":"no such container: gone"}`)
	r := d.run("", "stop", "web")
	if r.code != 0 || r.stdout != "web\n" || r.stderr != "" {
		t.Errorf("stop web: %+v", r)
	}
	if got := d.called(); got[len(got)-1] != "POST /v1/containers/web/stop" {
		t.Errorf("calls %q", got)
	}
	r = d.run("", "stop", "-t", "3", "gone", "web")
	if r.code != 125 || r.stdout != "web\n" || r.stderr != "container-runtime: no such container: gone\n" {
		t.Errorf("stop -t 3 gone web: %+v", r)
	}
	// The stops go out concurrently, as Docker's: both were asked for, in
	// either order.
	if got := d.called(); len(got) < 2 || !slices.Contains(got[len(got)-2:], "POST /v1/containers/web/stop?t=3") ||
		!slices.Contains(got[len(got)-2:], "POST /v1/containers/gone/stop?t=3") {
		t.Errorf("calls %q", got)
	}
}

// TestSeedImageList is the seed's `image list`, and Docker's images.
func TestSeedImageList(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/images", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, []api.ImageSummary{
			{ID: "sha256:0123456789abcdef", Names: []string{"base:latest", "debian:12"}, Size: 123_400_000},
			{ID: "sha256:fedcba9876543210", Size: 2_000},
		})
	})
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"image", "list"}, []string{
			"REPOSITORY TAG IMAGE ID CREATED SIZE",
			"base latest 0123456789ab 123MB",
			"debian 12 0123456789ab 123MB",
			"<none> <none> fedcba987654 2kB"}},
		{[]string{"images", "-q"}, []string{"0123456789ab", "fedcba987654"}},
		{[]string{"image", "ls", "-q", "--no-trunc"}, []string{"sha256:0123456789abcdef", "sha256:fedcba9876543210"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := d.run("", tc.args...)
			if r.code != 0 {
				t.Fatalf("code %d: %s", r.code, r.stderr)
			}
			if got := squeeze(r.stdout); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("output:\n%s\nwant:\n%s", r.stdout, strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestSeedBuild checks both build forms and the plain progress output.
func TestSeedBuild(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM base\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cwd, _ := os.Getwd()
	d := newFakeDaemon(t)
	var got api.BuildRequest
	d.handle("POST /v1/build", func(w http.ResponseWriter, r *http.Request) {
		got = api.BuildRequest{}
		decode(t, r, &got)
		w.WriteHeader(200)
		for _, l := range []string{
			`{"stream":"Step 1/3 : FROM base\n","step":1,"steps":3}`,
			`{"stream":"Step 2/3 : COPY . /app\n","step":2,"steps":3}`,
			`{"stream":" ---> CACHED\n","cached":true}`,
			`{"stream":"Step 3/3 : RUN echo hello\n","step":3,"steps":3}`,
			`{"stream":" ---> cache miss: the command changed\n"}`,
			`{"stream":"hel"}`,
			`{"stream":"lo\n"}`,
			`{"step":4,"steps":4}`,
			`{"id":"sha256:abcdef"}`,
		} {
			io.WriteString(w, l+"\n")
		}
	})
	cases := []struct {
		name string
		args []string
		want api.BuildRequest
	}{
		{"seed form", []string{"build", "myimg", df},
			api.BuildRequest{Tags: []string{"myimg"}, Dockerfile: df, ContextDir: dir, EntrypointMeaning: "seed"}},
		{"seed form with a directory", []string{"build", "myimg", dir},
			api.BuildRequest{Tags: []string{"myimg"}, Dockerfile: df, ContextDir: dir, EntrypointMeaning: "seed"}},
		{"docker form", []string{"build", "-t", "a", "-t", "b:1", "-f", df, "--build-arg", "X=1", "--no-cache", "--target", "s", "--network", "none", dir},
			api.BuildRequest{Tags: []string{"a", "b:1"}, Dockerfile: df, ContextDir: dir, BuildArgs: map[string]string{"X": "1"},
				NoCache: true, Target: "s", Network: "none", EntrypointMeaning: "docker"}},
		{"docker form, context .", []string{"build", "-t", "a"},
			api.BuildRequest{Tags: []string{"a"}, Dockerfile: filepath.Join(cwd, "Dockerfile"), ContextDir: cwd, EntrypointMeaning: "docker"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := d.run("", tc.args...)
			if r.code != 0 {
				t.Fatalf("code %d: %s", r.code, r.stderr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("request %+v, want %+v", got, tc.want)
			}
			want := "Step 1/3 : FROM base\nStep 2/3 : COPY . /app\n ---> CACHED\nStep 3/3 : RUN echo hello\n" +
				" ---> cache miss: the command changed\nhello\nStep 4/4\nBuilt image sha256:abcdef\n"
			if r.stdout != want {
				t.Errorf("stdout %q, want %q", r.stdout, want)
			}
		})
	}
	t.Run("quiet", func(t *testing.T) {
		r := d.run("", "build", "-q", "-t", "a", dir)
		if r.code != 0 || r.stdout != "sha256:abcdef\n" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("two arguments with -t", func(t *testing.T) {
		if r := d.run("", "build", "-t", "a", "x", "y"); r.code != 125 {
			t.Errorf("got %+v", r)
		}
	})
}

func TestBuildFailure(t *testing.T) {
	d := newFakeDaemon(t)
	d.answer("POST /v1/build", 200, `{"stream":"Step 1/1 : RUN false\n"}`+"\n"+
		`{"error":{"kind":"invalid_argument","message":"Dockerfile line 1: RUN false: exit code 1"}}`+"\n")
	r := d.run("", "build", "x", "/nonexistent/Dockerfile")
	if r.code != 125 || r.stdout != "Step 1/1 : RUN false\n" ||
		r.stderr != "container-runtime: Dockerfile line 1: RUN false: exit code 1\n" {
		t.Errorf("got %+v", r)
	}
}

// squeeze returns the lines of s with runs of spaces made one, and the
// CREATED column (relative times) left out when empty.
func squeeze(s string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		out = append(out, strings.Join(strings.Fields(l), " "))
	}
	return out
}
