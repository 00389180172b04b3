package distribution

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(tb, "needs root: layers keep ownership, whiteouts are devices and opaque markers trusted.* xattrs")
	}
}

// newStore opens a store in a temporary directory with no GC grace, so
// that GC shows at once which layers nothing references.
func newStore(tb testing.TB) *image.Store {
	tb.Helper()
	requireRoot(tb)
	s, err := image.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatalf("image.Open: %v", err)
	}
	s.GCGrace = 0
	tb.Cleanup(func() { s.Close() })
	return s
}

// newService returns a Service for s that resumes quickly.
func newService(tb testing.TB, s *image.Store, cfg Config) *Service {
	tb.Helper()
	if cfg.ResumeDelay == 0 {
		cfg.ResumeDelay = time.Millisecond
	}
	return New(s, cfg)
}

// fixtureTime is the creation time of test images, so ids do not depend
// on when the test ran.
func fixtureTime() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }

// commitDir commits a layer whose content fill makes.
func commitDir(tb testing.TB, s *image.Store, fill func(dir string) error) image.Layer {
	tb.Helper()
	ctx := context.Background()
	w, err := s.NewLayer(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fill(w.Dir()); err != nil {
		w.Abort()
		tb.Fatal(err)
	}
	l, err := w.Commit(ctx)
	if err != nil {
		w.Abort()
		tb.Fatalf("Commit: %v", err)
	}
	return l
}

// busyboxImage registers a two-layer image under name: a busybox root
// filesystem, then a layer with a file, a whiteout (bin/vi deleted) and an
// opaque directory (var), with startup commands and a Docker-style Cmd.
func busyboxImage(tb testing.TB, s *image.Store, name string) image.Image {
	tb.Helper()
	base := commitDir(tb, s, busyboxfs.Create)
	top := commitDir(tb, s, func(dir string) error {
		if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "etc", "motd"), []byte("hello from the top layer\n"), 0o644); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
			return err
		}
		if err := unix.Mknod(filepath.Join(dir, "bin", "vi"), unix.S_IFCHR, 0); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, "var"), 0o755); err != nil {
			return err
		}
		return unix.Setxattr(filepath.Join(dir, "var"), "trusted.overlay.opaque", []byte("y"), 0)
	})
	img, err := s.CreateImage(context.Background(), image.Image{
		Layers:  []digest.Digest{base.DiffID, top.DiffID},
		Created: fixtureTime(),
		Config: ocispec.Image{Config: ocispec.ImageConfig{
			Env:        []string{"PATH=" + image.DefaultPath},
			Cmd:        []string{"/bin/sh"},
			WorkingDir: "/root",
			Labels:     map[string]string{"test": tb.Name()},
		}},
		StartupCommands: [][]string{{"/bin/echo", "started"}},
	}, name)
	if err != nil {
		tb.Fatalf("CreateImage: %v", err)
	}
	return img
}

// sha256File is the hex sha256 of a file.
func sha256File(tb testing.TB, p string) string {
	tb.Helper()
	f, err := os.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkBusyboxFiles checks that the store has the content busyboxImage
// made, in the layers of img.
func checkBusyboxFiles(tb testing.TB, s *image.Store, img image.Image) {
	tb.Helper()
	if len(img.Layers) != 2 {
		tb.Fatalf("image has %d layers, want 2", len(img.Layers))
	}
	base, top := s.LayerDir(img.Layers[0]), s.LayerDir(img.Layers[1])
	if got, want := sha256File(tb, filepath.Join(base, "bin", "busybox")), sha256File(tb, busyboxfs.Binary); got != want {
		tb.Errorf("bin/busybox: sha256 %s, want %s", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(top, "etc", "motd")); err != nil || string(b) != "hello from the top layer\n" {
		tb.Errorf("etc/motd: %q, %v", b, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(top, "bin", "vi"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		tb.Errorf("bin/vi is not a whiteout: mode %o rdev %d, %v", st.Mode, st.Rdev, err)
	}
	buf := make([]byte, 8)
	if n, err := unix.Getxattr(filepath.Join(top, "var"), "trusted.overlay.opaque", buf); err != nil || string(buf[:n]) != "y" {
		tb.Errorf("var is not opaque: %q, %v", buf[:n], err)
	}
}

// assertNoImage checks that ref names no image, and that once GC has run
// no layer and no staging leftover remain (nothing half-registered).
func assertNothingLeft(tb testing.TB, s *image.Store) {
	tb.Helper()
	ctx := context.Background()
	imgs, err := s.Images(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if len(imgs) != 0 {
		tb.Errorf("images registered: %v", imgs)
	}
	if _, _, err := s.GC(ctx); err != nil {
		tb.Fatalf("GC: %v", err)
	}
	layers, err := s.Layers(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if len(layers) != 0 {
		tb.Errorf("layers left after GC: %v", layers)
	}
	entries, err := os.ReadDir(filepath.Join(s.Root(), "tmp"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(entries) != 0 {
		tb.Errorf("leftovers in the store's tmp/: %v", entries)
	}
}

// removeAll removes every image and collects the layers.
func removeAll(tb testing.TB, s *image.Store) {
	tb.Helper()
	ctx := context.Background()
	imgs, err := s.Images(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, img := range imgs {
		if _, err := s.Remove(ctx, img.ID.String(), true); err != nil {
			tb.Fatalf("Remove: %v", err)
		}
	}
	if _, _, err := s.GC(ctx); err != nil {
		tb.Fatalf("GC: %v", err)
	}
}

// testRegistry is go-containerregistry's in-memory registry on 127.0.0.1,
// behind optional middleware, counting the requests it gets.
type testRegistry struct {
	*httptest.Server
	host    string // 127.0.0.1:port
	handler http.Handler

	mu       sync.Mutex
	requests []string // "GET /v2/...", in order
}

// newRegistry starts a registry; wrap (may be nil) puts middleware in
// front of it.
func newRegistry(tb testing.TB, wrap func(http.Handler) http.Handler) *testRegistry {
	tb.Helper()
	r := &testRegistry{handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	var h http.Handler = r.handler
	if wrap != nil {
		h = wrap(h)
	}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests = append(r.requests, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	tb.Cleanup(r.Close)
	r.host = strings.TrimPrefix(r.URL, "http://")
	return r
}

// count returns how many requests had method and a path containing part.
func (r *testRegistry) count(method, part string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.requests {
		m, p, _ := strings.Cut(q, " ")
		if m == method && strings.Contains(p, part) {
			n++
		}
	}
	return n
}

func (r *testRegistry) reset() {
	r.mu.Lock()
	r.requests = nil
	r.mu.Unlock()
}

// isBlobGet reports whether req fetches a blob, and which.
func isBlobGet(req *http.Request) (digest.Digest, bool) {
	if req.Method != http.MethodGet {
		return "", false
	}
	i := strings.Index(req.URL.Path, "/blobs/")
	if i < 0 || strings.Contains(req.URL.Path, "/uploads") {
		return "", false
	}
	return digest.Digest(req.URL.Path[i+len("/blobs/"):]), true
}

// imageOf is a minimal image of layers.
func imageOf(layers ...digest.Digest) image.Image {
	return image.Image{Layers: layers, Created: fixtureTime()}
}
