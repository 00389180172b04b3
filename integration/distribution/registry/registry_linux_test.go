package registry

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"

	"github.com/container-runtime/container-runtime/distribution"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

const (
	user     = "alice"
	password = "s3cret"
)

// startRegistry serves the reference registry on 127.0.0.1 with its
// storage in a temporary directory and htpasswd auth.
func startRegistry(t testing.TB, withAuth bool) string {
	t.Helper()
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := &configuration.Configuration{
		Storage: configuration.Storage{
			"filesystem":  configuration.Parameters{"rootdirectory": filepath.Join(dir, "storage")},
			"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
		},
	}
	if withAuth {
		config.Auth = configuration.Auth{"htpasswd": configuration.Parameters{"realm": "test", "path": htpasswd}}
	}
	config.HTTP.Secret = "test-secret"
	// The registry logs every request through logrus's standard logger:
	// keep it for a failure report only.
	var logs lockedBuffer
	logrus.SetOutput(&logs)
	t.Cleanup(func() {
		logrus.SetOutput(os.Stderr)
		if t.Failed() {
			t.Logf("registry log:\n%s", logs.String())
		}
	})
	config.Log.AccessLog.Disabled = true
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(handlers.NewApp(ctx, config))
	t.Cleanup(func() { srv.Close(); cancel() })
	return strings.TrimPrefix(srv.URL, "http://")
}

// busyboxImage registers a two-layer busybox image under name.
func busyboxImage(t *testing.T, s *image.Store, name string) image.Image {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static: %v", err)
	}
	var layers []digest.Digest
	for _, fill := range []func(string) error{
		busyboxfs.Create,
		func(dir string) error {
			if err := os.Mkdir(filepath.Join(dir, "etc"), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "etc", "motd"), []byte("hi\n"), 0o644)
		},
	} {
		w, err := s.NewLayer(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := fill(w.Dir()); err != nil {
			t.Fatal(err)
		}
		l, err := w.Commit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l.DiffID)
	}
	img, err := s.CreateImage(context.Background(), image.Image{
		Layers: layers, Created: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Config:          ocispec.Image{Config: ocispec.ImageConfig{Cmd: []string{"/bin/sh"}}},
		StartupCommands: [][]string{{"/bin/true"}},
	}, name)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestReferenceRegistry pushes to and pulls from the reference registry
// with basic auth, logs in and out, and checks refusals.
func TestReferenceRegistry(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: layers keep ownership and whiteouts")
	}
	ctx := context.Background()
	host := startRegistry(t, true)
	s, err := image.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.GCGrace = 0
	af := &distribution.AuthFile{Path: filepath.Join(t.TempDir(), "auth.json")}
	svc := distribution.New(s, distribution.Config{Auth: af, AuthFile: af})
	name := host + "/test/busybox:1"
	orig := busyboxImage(t, s, name)

	if _, err := svc.Push(ctx, name, distribution.PushOptions{}); !errors.Is(err, distribution.ErrUnauthorized) {
		t.Fatalf("Push before login: %v, want ErrUnauthorized", err)
	}
	if err := svc.Login(ctx, host, user, "wrong", distribution.LoginOptions{}); !errors.Is(err, distribution.ErrUnauthorized) {
		t.Fatalf("Login with a wrong password: %v", err)
	}
	if err := svc.Login(ctx, host, user, password, distribution.LoginOptions{}); err != nil {
		t.Fatalf("Login: %v", err)
	}
	dg, err := svc.Push(ctx, name, distribution.PushOptions{})
	if err != nil {
		t.Fatalf("Push: %v", err)
	}

	if _, err := s.Remove(ctx, name, false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GC(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Pull(ctx, name, distribution.PullOptions{})
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if got.ID != orig.ID || !slices.Equal(got.Layers, orig.Layers) || len(got.StartupCommands) != 1 {
		t.Errorf("pulled %s %v %v, pushed %s %v", got.ID, got.Layers, got.StartupCommands, orig.ID, orig.Layers)
	}
	if b, err := os.ReadFile(filepath.Join(s.LayerDir(got.Layers[1]), "etc", "motd")); err != nil || string(b) != "hi\n" {
		t.Errorf("etc/motd: %q, %v", b, err)
	}
	byDigest, err := svc.Pull(ctx, host+"/test/busybox@"+dg.String(), distribution.PullOptions{})
	if err != nil || byDigest.ID != orig.ID {
		t.Errorf("Pull by digest: %v, %v", byDigest.ID, err)
	}
	if _, err := svc.Pull(ctx, host+"/test/nosuch:1", distribution.PullOptions{}); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Pull of a missing repository: %v, want ErrNotFound", err)
	}
	if err := svc.Logout(ctx, host); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, err := svc.Pull(ctx, name, distribution.PullOptions{}); !errors.Is(err, distribution.ErrUnauthorized) {
		t.Errorf("Pull after logout: %v, want ErrUnauthorized", err)
	}
}

// lockedBuffer is a bytes.Buffer safe for the registry's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
