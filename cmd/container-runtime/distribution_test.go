package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/creack/pty"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func TestDistributionCommands(t *testing.T) {
	d := newFakeDaemon(t)
	var (
		mu       sync.Mutex
		lastBody string
	)
	record := func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		lastBody = string(b)
		mu.Unlock()
	}
	d.handle("POST /v1/images/pull", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		io.WriteString(w, `{"layer":"abc","status":"Waiting"}`+"\n"+`{"layer":"abc","status":"Downloading","current":5,"total":10}`+"\n"+
			`{"layer":"abc","status":"Downloading","current":10,"total":10}`+"\n"+`{"layer":"abc","status":"Pull complete"}`+"\n"+
			`{"status":"Digest: sha256:d"}`+"\n"+`{"id":"sha256:1"}`+"\n")
	})
	d.handle("POST /v1/images/{ref}/push", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		io.WriteString(w, `{"layer":"abc","status":"Pushed"}`+"\n"+`{"id":"sha256:1","digest":"sha256:d"}`+"\n")
	})
	d.handle("GET /v1/images/save", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ARCHIVE") })
	d.handle("POST /v1/images/load", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		io.WriteString(w, `{"layer":"abc","status":"Loaded"}`+"\n"+`{"id":"sha256:2","loaded":["a:1","sha256:`+strings.Repeat("2", 64)+`"]}`+"\n")
	})
	d.handle("POST /v1/auth/login", func(w http.ResponseWriter, r *http.Request) {
		var req api.LoginRequest
		decode(t, r, &req)
		if req.Password != "secret" {
			answerError(w, 401, api.KindUnauthorized, "logging in to r.example: unauthorized: the registry answered 401 Unauthorized")
			return
		}
		answerJSON(w, 200, api.LoginResult{Status: "Login Succeeded"})
	})
	d.handle("POST /v1/auth/logout", func(w http.ResponseWriter, r *http.Request) {
		answerError(w, 404, api.KindNotFound, "logging out of r.example: not found: not logged in")
	})
	archive := filepath.Join(t.TempDir(), "in.tar")
	os.WriteFile(archive, []byte("TAR"), 0o644)

	cases := []struct {
		args           []string
		stdin          string
		call, body     string
		stdout, stderr string
		code           int
	}{
		{args: []string{"pull", "--platform", "linux/arm64", "debian"}, call: "POST /v1/images/pull",
			body: `{"ref":"debian","platform":"linux/arm64"}`, stdout: "sha256:1\n",
			stderr: "Pulling debian\nabc: Waiting\nabc: Downloading\nabc: Pull complete\nDigest: sha256:d\n"},
		{args: []string{"image", "pull", "-q", "--insecure", "r.example/x"}, call: "POST /v1/images/pull",
			body: `{"ref":"r.example/x","insecure":true}`, stdout: "sha256:1\n", stderr: "Pulling r.example/x\n"},
		{args: []string{"push", "127.0.0.1:5000/x/y"}, call: "POST /v1/images/127.0.0.1:5000/x/y/push",
			body: `{}`, stdout: "sha256:d\n", stderr: "Pushing 127.0.0.1:5000/x/y\nabc: Pushed\n"},
		{args: []string{"save", "a", "b"}, call: "GET /v1/images/save?format=docker&names=a&names=b", stdout: "ARCHIVE"},
		{args: []string{"save", "--format", "zip", "a"}, code: 125, stderr: "container-runtime: --format \"zip\": want docker or oci\n"},
		{args: []string{"load", "-i", archive}, call: "POST /v1/images/load", body: "TAR",
			stdout: "Loaded image: a:1\nLoaded image ID: sha256:" + strings.Repeat("2", 64) + "\n", stderr: "abc: Loaded\n"},
		{args: []string{"image", "load"}, stdin: "FROMSTDIN", call: "POST /v1/images/load", body: "FROMSTDIN",
			stdout: "Loaded image: a:1\nLoaded image ID: sha256:" + strings.Repeat("2", 64) + "\n", stderr: "abc: Loaded\n"},
		{args: []string{"login", "-u", "me", "--password-stdin", "r.example"}, stdin: "secret\n", call: "POST /v1/auth/login",
			stdout: "Login Succeeded\n"},
		{args: []string{"login", "-u", "me", "--password-stdin", "r.example"}, stdin: "wrong\n", call: "POST /v1/auth/login", code: 125,
			stderr: "container-runtime: logging in to r.example: unauthorized: the registry answered 401 Unauthorized\n"},
		{args: []string{"login", "r.example"}, code: 125,
			stderr: "container-runtime: a user name and a password are needed (-u USER --password-stdin)\n"},
		{args: []string{"logout", "r.example"}, call: "POST /v1/auth/logout", stdout: "Not logged in to r.example\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := len(d.called())
			mu.Lock()
			lastBody = ""
			mu.Unlock()
			r := d.run(tc.stdin, tc.args...)
			if r.code != tc.code || r.stdout != tc.stdout || r.stderr != tc.stderr {
				t.Errorf("got %+v\nwant code %d, stdout %q, stderr %q", r, tc.code, tc.stdout, tc.stderr)
			}
			calls := d.called()[before:]
			switch {
			case tc.call == "" && len(calls) > 0:
				t.Errorf("calls %q, want none", calls)
			case tc.call != "" && (len(calls) == 0 || calls[len(calls)-1] != tc.call):
				t.Errorf("calls %q, want %q last", calls, tc.call)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.body != "" && lastBody != tc.body {
				t.Errorf("body %s, want %s", lastBody, tc.body)
			}
		})
	}

	t.Run("save -o", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.tar")
		if r := d.run("", "save", "-o", out, "a"); r.code != 0 {
			t.Fatalf("%+v", r)
		}
		if b, err := os.ReadFile(out); err != nil || string(b) != "ARCHIVE" {
			t.Errorf("archive %q, %v", b, err)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".out.tar.*")); len(left) > 0 {
			t.Errorf("temporary files left: %q", left)
		}
	})
}

// TestLayerBars renders a pull's layer bars on a pseudo-terminal.
func TestLayerBars(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		testutil.Missing(t, "no pseudo-terminal: %v", err)
	}
	defer master.Close()
	pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 120})
	var (
		mu  sync.Mutex
		out bytes.Buffer
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	v := newLayerView(tty, true)
	for _, p := range []api.Progress{
		{Layer: "aaaaaaaaaaaa", Status: "Waiting"}, {Layer: "bbbbbbbbbbbb", Status: "Already exists"},
		{Layer: "aaaaaaaaaaaa", Status: "Downloading", Current: 1 << 20, Total: 2 << 20},
		{Layer: "aaaaaaaaaaaa", Status: "Pull complete"}, {Status: "Digest: sha256:d"}, {ID: "sha256:1"},
	} {
		v.update(p)
	}
	v.close(true)
	// The reader drains the master and ends with EIO once the terminal
	// side is closed; closing the master first could lose the output.
	tty.Close()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for _, w := range []string{"aaaaaaaaaaaa:", "bbbbbbbbbbbb:", "Already exists", "Pull complete", "Digest: sha256:d"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("the terminal did not show %q:\n%q", w, out.String())
		}
	}
}
