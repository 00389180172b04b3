package daemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// fakeDistribution records what the routes pass and answers as told.
type fakeDistribution struct {
	err      error
	pullReq  api.PullRequest
	pushRef  string
	pushReq  api.PushRequest
	saveRefs []string
	saveFmt  string
	loaded   string
	login    api.LoginRequest
	logout   string
}

func (f *fakeDistribution) Pull(ctx context.Context, req api.PullRequest, progress func(api.Progress)) (string, error) {
	f.pullReq = req
	progress(api.Progress{Layer: "abc", Status: "Downloading", Current: 1, Total: 2})
	return "sha256:1", f.err
}

func (f *fakeDistribution) Push(ctx context.Context, ref string, req api.PushRequest, progress func(api.Progress)) (string, string, error) {
	f.pushRef, f.pushReq = ref, req
	if f.err != nil {
		return "", "", f.err
	}
	progress(api.Progress{Layer: "abc", Status: "Pushed"})
	return "sha256:1", "sha256:d", nil
}

func (f *fakeDistribution) Save(ctx context.Context, refs []string, format string, w io.Writer) error {
	f.saveRefs, f.saveFmt = refs, format
	if f.err != nil {
		return f.err
	}
	_, err := io.WriteString(w, "TAR")
	return err
}

func (f *fakeDistribution) Load(ctx context.Context, r io.Reader, progress func(api.Progress)) ([]api.ImageSummary, error) {
	b, _ := io.ReadAll(r)
	f.loaded = string(b)
	progress(api.Progress{Status: "Loading layer"})
	return []api.ImageSummary{{ID: "sha256:1", Names: []string{"a:1"}}, {ID: "sha256:2"}}, f.err
}

func (f *fakeDistribution) Login(ctx context.Context, req api.LoginRequest) error {
	f.login = req
	return f.err
}

func (f *fakeDistribution) Logout(ctx context.Context, registry string) error {
	f.logout = registry
	return f.err
}

// ndjson decodes a progress stream.
func ndjson(t testing.TB, resp *http.Response) []api.Progress {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != contentNDJSON {
		t.Errorf("Content-Type %q", ct)
	}
	var out []api.Progress
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var p api.Progress
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, p)
	}
	return out
}

func TestDistributionRoutes(t *testing.T) {
	f := &fakeDistribution{}
	d := startDaemon(t, Config{Distribution: f})

	t.Run("pull", func(t *testing.T) {
		resp := d.do(t, "POST", "/v1/images/pull", strings.NewReader(`{"ref":"debian","platform":"linux/arm64","auth":{"username":"u","password":"p"}}`))
		lines := ndjson(t, resp)
		if len(lines) != 2 || lines[0].Layer != "abc" || lines[0].Total != 2 || lines[1].ID != "sha256:1" {
			t.Errorf("stream %+v", lines)
		}
		want := api.PullRequest{Ref: "debian", Platform: "linux/arm64", Auth: &api.RegistryAuth{Username: "u", Password: "p"}}
		if f.pullReq.Ref != want.Ref || f.pullReq.Platform != want.Platform || f.pullReq.Auth == nil || *f.pullReq.Auth != *want.Auth {
			t.Errorf("request %+v", f.pullReq)
		}
	})
	t.Run("push", func(t *testing.T) {
		resp := d.do(t, "POST", "/v1/images/127.0.0.1:5000%2Fx%2Fy:1/push", nil)
		lines := ndjson(t, resp)
		if len(lines) != 2 || lines[1].Digest != "sha256:d" || lines[1].ID != "sha256:1" {
			t.Errorf("stream %+v", lines)
		}
		if f.pushRef != "127.0.0.1:5000/x/y:1" {
			t.Errorf("ref %q", f.pushRef)
		}
	})
	t.Run("save", func(t *testing.T) {
		resp := d.do(t, "GET", "/v1/images/save?names=a,b&names=c&format=oci", nil)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "TAR" || resp.Header.Get("Content-Type") != contentTar {
			t.Errorf("answer %d %q", resp.StatusCode, body)
		}
		if !slices.Equal(f.saveRefs, []string{"a", "b", "c"}) || f.saveFmt != "oci" {
			t.Errorf("saved %q as %q", f.saveRefs, f.saveFmt)
		}
	})
	t.Run("load", func(t *testing.T) {
		lines := ndjson(t, d.do(t, "POST", "/v1/images/load", strings.NewReader("ARCHIVE")))
		if f.loaded != "ARCHIVE" {
			t.Errorf("body %q", f.loaded)
		}
		last := lines[len(lines)-1]
		if !slices.Equal(last.Loaded, []string{"a:1", "sha256:2"}) || last.ID != "sha256:2" {
			t.Errorf("last line %+v", last)
		}
	})
	t.Run("login", func(t *testing.T) {
		resp := d.do(t, "POST", "/v1/auth/login", strings.NewReader(`{"registry":"r.example","username":"u","password":"p"}`))
		var res api.LoginResult
		decodeBody(t, resp, &res)
		if res.Status != "Login Succeeded" || f.login.Password != "p" {
			t.Errorf("answer %+v, request %+v", res, f.login)
		}
	})
	t.Run("logout", func(t *testing.T) {
		resp := d.do(t, "POST", "/v1/auth/logout", strings.NewReader(`{"registry":"r.example"}`))
		if resp.StatusCode != http.StatusNoContent || f.logout != "r.example" {
			t.Errorf("status %d, registry %q", resp.StatusCode, f.logout)
		}
	})
}

func TestDistributionErrors(t *testing.T) {
	unauthorized := fmt.Errorf("pulling r.example/x: %w: %w: wrong credentials", errdefs.ErrInvalidArgument, errdefs.ErrUnauthorized)
	tests := []struct {
		name, method, path, body string
		err                      error
		status                   int
		kind                     api.ErrorKind
	}{
		{"login unauthorized", "POST", "/v1/auth/login", `{"username":"u","password":"bad"}`, unauthorized, 401, api.KindUnauthorized},
		{"login without password", "POST", "/v1/auth/login", `{"username":"u"}`, nil, 400, api.KindInvalidArgument},
		{"pull without ref", "POST", "/v1/images/pull", `{}`, nil, 400, api.KindInvalidArgument},
		{"push unauthorized", "POST", "/v1/images/x/push", "", unauthorized, 401, api.KindUnauthorized},
		{"save without names", "GET", "/v1/images/save", "", nil, 400, api.KindInvalidArgument},
		{"save bad format", "GET", "/v1/images/save?names=a&format=zip", "", nil, 400, api.KindInvalidArgument},
		{"save unknown image", "GET", "/v1/images/save?names=a", "", fmt.Errorf("saving: %w", errdefs.ErrNotFound), 404, api.KindNotFound},
		{"logout not logged in", "POST", "/v1/auth/logout", "", fmt.Errorf("logging out: %w", errdefs.ErrNotFound), 404, api.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDaemon(t, Config{Distribution: &fakeDistribution{err: tt.err}})
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			resp := d.do(t, tt.method, tt.path, body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if e := apiError(t, resp); e.Kind != tt.kind {
				t.Errorf("kind %q, want %q (%s)", e.Kind, tt.kind, e.Message)
			}
		})
	}

	t.Run("stream failure", func(t *testing.T) {
		d := startDaemon(t, Config{Distribution: &fakeDistribution{err: unauthorized}})
		lines := ndjson(t, d.do(t, "POST", "/v1/images/pull", strings.NewReader(`{"ref":"r.example/x"}`)))
		last := lines[len(lines)-1]
		if last.Error == nil || last.Error.Kind != api.KindUnauthorized {
			t.Errorf("last line %+v: want an unauthorized error", last)
		}
	})
	t.Run("no service", func(t *testing.T) {
		d := startDaemon(t, Config{})
		resp := d.do(t, "POST", "/v1/images/pull", strings.NewReader(`{"ref":"x"}`))
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503", resp.StatusCode)
		}
	})
	t.Run("statusOf", func(t *testing.T) {
		if status, kind := statusOf(errors.Join(errdefs.ErrInvalidArgument, errdefs.ErrUnauthorized)); status != 401 || kind != api.KindUnauthorized {
			t.Errorf("statusOf = %d %s, want 401 unauthorized", status, kind)
		}
	})
}

// partialLoad reads 40 KiB of the archive, as Load stops at a tar's end
// before its padding.
type partialLoad struct{ fakeDistribution }

func (p *partialLoad) Load(ctx context.Context, r io.Reader, progress func(api.Progress)) ([]api.ImageSummary, error) {
	if _, err := io.CopyN(io.Discard, r, 40<<10); err != nil {
		return nil, err
	}
	progress(api.Progress{Status: "Loading layer"})
	return []api.ImageSummary{{ID: "sha256:1"}}, nil
}

// lockedBuffer is a bytes.Buffer for several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLoadLeavesConnectionUsable sends loads whose archive is followed by
// padding the service does not read, one after the other on a kept-alive
// connection: each must succeed, and net/http must not panic.
func TestLoadLeavesConnectionUsable(t *testing.T) {
	var logs lockedBuffer
	d := startDaemon(t, Config{Distribution: &partialLoad{},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	for i := range 5 {
		resp := d.do(t, "POST", "/v1/images/load", strings.NewReader(strings.Repeat("a", 40<<10+512*(i+1))))
		lines := ndjson(t, resp)
		if len(lines) == 0 || lines[len(lines)-1].ID != "sha256:1" {
			t.Fatalf("load %d: stream %+v", i, lines)
		}
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("the server panicked:\n%s", logs.String())
	}
}

// TestImportLeavesConnectionUsable: an import that stops reading before
// the end of the body (a tar's padding) must not break the next request
// on the same connection.
func TestImportLeavesConnectionUsable(t *testing.T) {
	var logs lockedBuffer
	d := startDaemon(t, Config{
		Images: &fakeImages{imp: func(ctx context.Context, r io.Reader, name string, p io.Writer) (string, error) {
			if _, err := io.CopyN(io.Discard, r, 40<<10); err != nil {
				return "", err
			}
			return "sha256:2", nil
		}},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	for i := range 5 {
		resp := d.do(t, "POST", "/v1/images/import?name=x", strings.NewReader(strings.Repeat("a", 40<<10+512*(i+1))))
		lines := ndjson(t, resp)
		if len(lines) == 0 || lines[len(lines)-1].ID != "sha256:2" {
			t.Fatalf("import %d: stream %+v", i, lines)
		}
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("the server panicked:\n%s", logs.String())
	}
}
