package distribution

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

const (
	testUser     = "alice"
	testPassword = "s3cret"
)

// basicAuth requires HTTP basic auth on the registry API.
func basicAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// tokenAuth is a registry with token auth: /token (on the same host, as
// go-containerregistry refuses token realms on other private addresses)
// exchanges basic credentials for a bearer token the API requires.
func tokenAuth(next http.Handler) http.Handler {
	const token = "token-for-alice"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPassword {
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"wrong credentials"}]}`, http.StatusUnauthorized)
				return
			}
			json.NewEncoder(w).Encode(map[string]string{"token": token})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="test",scope="repository:test/busybox:pull"`, r.Host))
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"token required"}]}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestAuth pushes and pulls through basic and token auth, with right,
// wrong and missing credentials.
func TestAuth(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"basic", basicAuth},
		{"token", tokenAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			reg := newRegistry(t, tc.wrap)
			name := reg.host + "/test/busybox:1"
			orig := busyboxImage(t, s, name)
			good := StaticKeychain{reg.host: {Username: testUser, Password: testPassword}}
			bad := StaticKeychain{reg.host: {Username: testUser, Password: "wrong"}}
			d := newService(t, s, Config{})
			if _, err := d.Push(ctx, name, PushOptions{Auth: good}); err != nil {
				t.Fatalf("Push: %v", err)
			}
			removeAll(t, s)
			for _, k := range []struct {
				name string
				auth Keychain
			}{{"wrong", bad}, {"none", nil}} {
				_, err := d.Pull(ctx, name, PullOptions{Auth: k.auth})
				if !errors.Is(err, ErrUnauthorized) || !errors.Is(err, errdefs.ErrInvalidArgument) {
					t.Errorf("Pull with %s credentials: %v, want ErrUnauthorized", k.name, err)
				}
			}
			assertNothingLeft(t, s)
			img, err := d.Pull(ctx, name, PullOptions{Auth: good})
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			if img.ID != orig.ID {
				t.Errorf("id %s, want %s", img.ID, orig.ID)
			}
		})
	}
}

// TestRedirectKeepsCredentials has the registry redirect blob downloads
// to another server (as registries do to their storage): the pull works
// and the other server never sees an Authorization header.
func TestRedirectKeepsCredentials(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"basic", basicAuth},
		{"token", tokenAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			var (
				mu       sync.Mutex
				storage  http.Handler
				received []string
			)
			blobs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				received = append(received, r.Header.Get("Authorization"))
				h := storage
				mu.Unlock()
				h.ServeHTTP(w, r)
			}))
			t.Cleanup(blobs.Close)
			var redirect bool
			reg := newRegistry(t, func(next http.Handler) http.Handler {
				authed := tc.wrap(next)
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					on := redirect
					mu.Unlock()
					if _, ok := isBlobGet(r); ok && on {
						http.Redirect(w, r, blobs.URL+r.URL.Path, http.StatusTemporaryRedirect)
						return
					}
					authed.ServeHTTP(w, r)
				})
			})
			storage = reg.handler
			name := reg.host + "/test/busybox:1"
			orig := busyboxImage(t, s, name)
			auth := StaticKeychain{reg.host: {Username: testUser, Password: testPassword}}
			d := newService(t, s, Config{Auth: auth})
			if _, err := d.Push(ctx, name, PushOptions{}); err != nil {
				t.Fatalf("Push: %v", err)
			}
			removeAll(t, s)
			mu.Lock()
			redirect = true
			mu.Unlock()
			img, err := d.Pull(ctx, name, PullOptions{})
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			if img.ID != orig.ID {
				t.Errorf("id %s, want %s", img.ID, orig.ID)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(received) != 3 {
				t.Errorf("the blob server got %d requests, want 3 (config, 2 layers)", len(received))
			}
			for _, a := range received {
				if a != "" {
					t.Errorf("the blob server got Authorization %q", a)
				}
			}
		})
	}
}

// TestLogin logs in with wrong and right credentials, then out, and reads
// a Docker config.json as fallback.
func TestLogin(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		wrap func(http.Handler) http.Handler
	}{
		{"basic", basicAuth},
		{"token", tokenAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := newRegistry(t, tc.wrap)
			dir := t.TempDir()
			af := &AuthFile{Path: filepath.Join(dir, "auth.json")}
			d := New(nil, Config{AuthFile: af})
			err := d.Login(ctx, reg.host, testUser, "wrong", LoginOptions{})
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("Login with a wrong password: %v, want ErrUnauthorized", err)
			}
			if _, err := os.Stat(af.Path); !os.IsNotExist(err) {
				t.Errorf("a failed login wrote the credentials file: %v", err)
			}
			if err := d.Login(ctx, reg.host, testUser, testPassword, LoginOptions{}); err != nil {
				t.Fatalf("Login: %v", err)
			}
			c, err := af.Credentials(ctx, reg.host)
			if err != nil || c.Username != testUser || c.Password != testPassword {
				t.Errorf("stored credentials %+v, %v", c, err)
			}
			raw, _ := os.ReadFile(af.Path)
			var cfg dockerConfig
			if err := json.Unmarshal(raw, &cfg); err != nil || cfg.Auths[reg.host].Auth != "YWxpY2U6czNjcmV0" {
				t.Errorf("credentials file is not Docker's format: %s (%v)", raw, err)
			}
			if st, err := os.Stat(af.Path); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("credentials file mode %v, %v", st.Mode(), err)
			}
			if err := d.Logout(ctx, reg.host); err != nil {
				t.Fatalf("Logout: %v", err)
			}
			if c, _ := af.Credentials(ctx, reg.host); !c.IsZero() {
				t.Errorf("credentials left after logout: %+v", c)
			}
			if err := d.Logout(ctx, reg.host); !errors.Is(err, errdefs.ErrNotFound) {
				t.Errorf("second Logout: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestAuthFile covers the Docker config.json details: keys as URLs, the
// Docker Hub key, fallback files, and keeping what it does not manage.
func TestAuthFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	docker := filepath.Join(dir, "docker.json")
	if err := os.WriteFile(docker, []byte(`{
		"auths": {
			"https://index.docker.io/v1/": {"auth": "aHViOmh1YnBhc3M="},
			"http://registry.example.com:5000/v2/": {"username": "u", "password": "p"},
			"tokens.example.com": {"identitytoken": "refresh-me"}
		},
		"psFormat": "table {{.ID}}"
	}`), 0o600); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(dir, "own.json")
	af := &AuthFile{Path: own, Fallback: []string{docker}}
	for _, tc := range []struct {
		registry string
		want     Credentials
	}{
		{"docker.io", Credentials{Username: "hub", Password: "hubpass"}},
		{"index.docker.io", Credentials{Username: "hub", Password: "hubpass"}},
		{"registry.example.com:5000", Credentials{Username: "u", Password: "p"}},
		{"tokens.example.com", Credentials{IdentityToken: "refresh-me"}},
		{"other.example.com", Credentials{}},
	} {
		t.Run(tc.registry, func(t *testing.T) {
			got, err := af.Credentials(ctx, tc.registry)
			if err != nil || got != tc.want {
				t.Errorf("Credentials(%s) = %+v, %v; want %+v", tc.registry, got, err, tc.want)
			}
		})
	}
	// Our file wins over the fallback, and keeps other keys.
	if err := os.WriteFile(own, []byte(`{"auths":{},"credsStore":""}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := af.Store("docker.io", Credentials{Username: "me", Password: "mine"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := af.Credentials(ctx, "registry-1.docker.io"); got.Username != "me" {
		t.Errorf("after Store: %+v", got)
	}
	raw, _ := os.ReadFile(own)
	if !strings.Contains(string(raw), dockerHubAuthKey) || !strings.Contains(string(raw), "credsStore") {
		t.Errorf("stored file: %s", raw)
	}
	if _, err := os.ReadFile(docker); err != nil {
		t.Fatal(err)
	}
}
