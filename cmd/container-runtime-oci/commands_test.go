package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/runtime"
)

func TestWriteList(t *testing.T) {
	created := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	states := []runtime.State{
		{ID: "one", Pid: 42, Status: runtime.StatusRunning, Bundle: "/b/one", Created: created, Owner: "root"},
		{ID: "two", Status: runtime.StatusStopped, Bundle: "/b/two", Created: created, Owner: "root"},
	}
	t.Run("table", func(t *testing.T) {
		var buf bytes.Buffer
		if err := writeList(&buf, states, "table", false); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 3 {
			t.Fatalf("got %d lines, want header and 2:\n%s", len(lines), buf.String())
		}
		if got := strings.Fields(lines[0]); !slices.Equal(got, []string{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}) {
			t.Errorf("header %q", got)
		}
		want := []string{"one", "42", "running", "/b/one", created.Format(time.RFC3339Nano), "root"}
		if got := strings.Fields(lines[1]); !slices.Equal(got, want) {
			t.Errorf("row %q, want %q", got, want)
		}
	})
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := writeList(&buf, states, "json", false); err != nil {
			t.Fatal(err)
		}
		var got []runtime.State
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil || len(got) != 2 || got[0].Pid != 42 {
			t.Fatalf("json list %s: %v", buf.String(), err)
		}
	})
	t.Run("json empty", func(t *testing.T) {
		var buf bytes.Buffer
		if err := writeList(&buf, nil, "json", false); err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(buf.String()) != "[]" {
			t.Fatalf("empty json list is %q, want []", buf.String())
		}
	})
	t.Run("quiet", func(t *testing.T) {
		var buf bytes.Buffer
		if err := writeList(&buf, states, "table", true); err != nil {
			t.Fatal(err)
		}
		if buf.String() != "one\ntwo\n" {
			t.Fatalf("quiet list %q", buf.String())
		}
	})
}

func TestExecFlagsStopAtCommand(t *testing.T) {
	cmd := newExecCommand(&app{})
	if err := cmd.Flags().Parse([]string{"-e", "A=B", "--tty", "ctr", "sh", "-c", "ls -l", "--env", "X"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"ctr", "sh", "-c", "ls -l", "--env", "X"}
	if got := cmd.Flags().Args(); !slices.Equal(got, want) {
		t.Fatalf("args %q, want %q", got, want)
	}
}

func TestExecApply(t *testing.T) {
	base := runtime.DefaultSpec().Process
	o := execFlags{
		tty:            false,
		cwd:            "/tmp",
		env:            []string{"A=1"},
		user:           "1000:100",
		additionalGIDs: []int64{10, 20},
		caps:           []string{"CAP_NET_ADMIN", "CAP_KILL"},
		noNewPrivs:     false,
	}
	p := *base
	if err := o.apply(&p, []string{"ls", "-l"}, true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Args, []string{"ls", "-l"}) || p.Cwd != "/tmp" || p.Terminal || p.NoNewPrivileges {
		t.Errorf("process %+v", p)
	}
	if p.Env[len(p.Env)-1] != "A=1" || !slices.Contains(p.Env, "TERM=xterm") {
		t.Errorf("env %q: want the container's env with A=1 appended", p.Env)
	}
	if p.User.UID != 1000 || p.User.GID != 100 || !slices.Equal(p.User.AdditionalGids, []uint32{10, 20}) {
		t.Errorf("user %+v", p.User)
	}
	c := p.Capabilities
	for _, set := range [][]string{c.Bounding, c.Effective, c.Permitted} {
		if !slices.Contains(set, "CAP_NET_ADMIN") {
			t.Errorf("set %q lacks CAP_NET_ADMIN", set)
		}
		if n := strings.Count(strings.Join(set, ","), "CAP_KILL"); n != 1 {
			t.Errorf("CAP_KILL appears %d times in %q", n, set)
		}
	}
	if slices.Contains(c.Inheritable, "CAP_NET_ADMIN") {
		t.Errorf("--cap must not reach the inheritable set: %q", c.Inheritable)
	}
	if err := runtime.ValidateProcess(&p); err != nil {
		t.Errorf("applied process does not validate: %v", err)
	}

	q := *base
	if err := (&execFlags{}).apply(&q, []string{"sh"}, false); err != nil {
		t.Fatal(err)
	}
	if !q.NoNewPrivileges || q.User.UID != 0 || q.Cwd != "/" {
		t.Errorf("without flags the container's settings must stay: %+v", q)
	}
}

func TestParseUser(t *testing.T) {
	uid, gid, err := parseUser("7")
	if err != nil || uid != 7 || gid != nil {
		t.Errorf("parseUser(7) = %d, %v, %v", uid, gid, err)
	}
	for _, bad := range []string{"root", "1:x", "-1", "1:", "4294967296"} {
		if _, _, err := parseUser(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("parseUser(%q) = %v, want ErrInvalidArgument", bad, err)
		}
	}
}

func TestReadResources(t *testing.T) {
	res, err := readResources(strings.NewReader(`{"pids": {"limit": 10}, "future": 1}`), "-")
	if err != nil || res.Pids == nil || *res.Pids.Limit != 10 {
		t.Fatalf("readResources = %+v, %v", res, err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, []byte(`{"memory": {"limit": -9}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Read as is: the runtime validates it merged with the current limits.
	if res, err := readResources(nil, path); err != nil || *res.Memory.Limit != -9 {
		t.Fatalf("readResources(file) = %+v, %v", res, err)
	}
	if _, err := readResources(strings.NewReader("{"), "-"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Fatalf("readResources(bad JSON) = %v", err)
	}
}

func TestLoggerLevels(t *testing.T) {
	var buf bytes.Buffer
	a := &app{logFormat: "json", stderr: &buf}
	l := a.logger()
	l.Warn("careful")
	l.Error("broken")
	l.Debug("hidden")
	var levels []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		levels = append(levels, m["level"].(string))
	}
	if !slices.Equal(levels, []string{"warning", "error"}) {
		t.Fatalf("levels %q, want logrus's warning, error (and no debug without --debug)", levels)
	}
}

func TestRunInProcess(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no args for kill", []string{"kill"}, 1, `"kill" needs ID`},
		{"unknown command", []string{"frobnicate"}, 1, "unknown command"},
		{"unknown flag", []string{"list", "--bogus"}, 1, "unknown flag"},
		{"bad format", []string{"list", "--format", "yaml"}, 1, `--format "yaml"`},
		{"bad rootless", []string{"--rootless", "maybe", "list"}, 1, `--rootless "maybe"`},
		{"negative preserve-fds", []string{"exec", "--preserve-fds", "-2", "x", "sh"}, 1, "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--root", filepath.Join(t.TempDir(), "state")}, tc.args...)
			code := run(context.Background(), args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if !strings.HasPrefix(stderr.String(), progName+": ") || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want a %s line containing %q", stderr.String(), progName, tc.want)
			}
		})
	}
}

func TestStatusError(t *testing.T) {
	if err := statusError(runtime.ExitStatus{}); err != nil {
		t.Errorf("status 0 gave %v", err)
	}
	var code exitCode
	if err := statusError(runtime.ExitStatus{Code: 137, Signal: 9}); !errors.As(err, &code) || code != 137 {
		t.Errorf("status 137 gave %v", err)
	}
}

func TestContainerError(t *testing.T) {
	err := containerError("x", errors.Join(errors.New("loading state"), errdefs.ErrNotFound))
	if !strings.Contains(err.Error(), "does not exist") || !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("not-found error %q lacks the words containerd matches", err)
	}
	other := errors.New("boom")
	if containerError("x", other) != other || containerError("x", nil) != nil {
		t.Error("other errors must pass unchanged")
	}
}
