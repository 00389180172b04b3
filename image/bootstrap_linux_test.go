package image

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a command's
// output copier and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testCacheDir is the debootstrap cache shared between test runs (and CI
// jobs) on this machine: CRT_TEST_CACHE, default
// /var/cache/container-runtime-test.
func testCacheDir() string {
	if d := os.Getenv("CRT_TEST_CACHE"); d != "" {
		return filepath.Join(d, "debootstrap")
	}
	return "/var/cache/container-runtime-test/debootstrap"
}

// TestBootstrap runs debootstrap for real (with the shared package cache),
// then bootstraps a second store from the root filesystem cache.
func TestBootstrap(t *testing.T) {
	requireRoot(t)
	testutil.SkipShort(t, "debootstrap takes about a minute")
	testutil.RequireTool(t, "debootstrap")
	ctx := t.Context()
	cache := testCacheDir()

	s1 := newStore(t)
	var progress syncBuffer
	start := time.Now()
	img, err := Bootstrap(ctx, s1, BootstrapOptions{CacheDir: cache, Progress: &progress, Refresh: true})
	first := time.Since(start)
	if err != nil {
		t.Fatalf("Bootstrap: %v\n%s", err, progress.String())
	}
	t.Logf("debootstrap (packages cached in %s): %s in all", cache, first.Round(100*time.Millisecond))
	for _, line := range strings.Split(progress.String(), "\n") {
		if strings.Contains(line, "finished in") {
			t.Log(line)
		}
	}
	if !strings.Contains(progress.String(), "I: Base system installed successfully") {
		t.Errorf("debootstrap's output was not streamed to Progress:\n%s", progress.String())
	}
	if !reflect.DeepEqual(img.Names, []string{"base:latest"}) || len(img.Layers) != 1 {
		t.Errorf("image %v with layers %v", img.Names, img.Layers)
	}
	if !reflect.DeepEqual(img.Config.Config.Cmd, []string{"/bin/bash"}) || img.Config.Config.Env[0] != "PATH="+DefaultPath || img.Config.OS != "linux" {
		t.Errorf("config %+v", img.Config)
	}
	dir := s1.LayerDir(img.Layers[0])
	if fi, err := os.Stat(filepath.Join(dir, "bin/bash")); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("/bin/bash in the base layer: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "etc/debian_version")); err != nil || len(b) == 0 {
		t.Errorf("/etc/debian_version: %q %v", b, err)
	}
	if debs, _ := filepath.Glob(filepath.Join(dir, "var/cache/apt/archives/*.deb")); len(debs) != 0 {
		t.Errorf("the image carries %d downloaded packages", len(debs))
	}

	// An existing base is returned as is.
	again, err := Bootstrap(ctx, s1, BootstrapOptions{CacheDir: cache})
	if err != nil || again.ID != img.ID {
		t.Errorf("second Bootstrap on the same store: %v %v", again.ID, err)
	}

	// Another store, same cache: the cached root filesystem is used and
	// gives the very same layer.
	s2 := newStore(t)
	var progress2 syncBuffer
	start = time.Now()
	img2, err := Bootstrap(ctx, s2, BootstrapOptions{CacheDir: cache, Progress: &progress2})
	second := time.Since(start)
	if err != nil {
		t.Fatalf("Bootstrap of a second store: %v\n%s", err, progress2.String())
	}
	t.Logf("second store from the cached root filesystem: %s", second.Round(100*time.Millisecond))
	if !strings.Contains(progress2.String(), "Using the root filesystem cached") {
		t.Errorf("the second bootstrap did not use the cache:\n%s", progress2.String())
	}
	if img2.Layers[0] != img.Layers[0] {
		t.Errorf("cached bootstrap layer %s differs from the original %s", img2.Layers[0], img.Layers[0])
	}
}

// TestBootstrapFailureRegistersNothing runs a debootstrap that fails (an
// unknown suite) and a missing debootstrap.
func TestBootstrapFailureRegistersNothing(t *testing.T) {
	requireRoot(t)
	testutil.SkipShort(t, "runs debootstrap")
	testutil.RequireTool(t, "debootstrap")
	cases := []struct {
		name    string
		opts    BootstrapOptions
		wantErr error
		wantMsg string
	}{
		{name: "UnknownSuite", opts: BootstrapOptions{Suite: "no-such-suite", Refresh: true}, wantMsg: "last output"},
		{name: "NoDebootstrap", opts: BootstrapOptions{Debootstrap: "/nonexistent/debootstrap", Refresh: true}, wantErr: errdefs.ErrUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			c.opts.CacheDir = filepath.Join(t.TempDir(), "cache")
			_, err := Bootstrap(t.Context(), s, c.opts)
			if err == nil {
				t.Fatal("Bootstrap succeeded")
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("error %v, want %v", err, c.wantErr)
			}
			if !strings.Contains(err.Error(), c.wantMsg) {
				t.Errorf("error %q does not contain %q", err, c.wantMsg)
			}
			if imgs, _ := s.Images(t.Context()); len(imgs) != 0 {
				t.Errorf("images registered: %v", imgs)
			}
			if ls, _ := s.Layers(t.Context()); len(ls) != 0 {
				t.Errorf("layers registered: %v", ls)
			}
			if left := dirEntries(t, s.tmpDir()); len(left) != 0 {
				t.Errorf("staging leftovers: %v", left)
			}
		})
	}
}

func TestHostMirror(t *testing.T) {
	write := func(t *testing.T, dir string, files map[string]string) {
		t.Helper()
		for name, content := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{name: "Nothing", want: FallbackMirror},
		{name: "OneLine", files: map[string]string{
			"sources.list": "# comment\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main\n",
		}, want: "http://mirror.example/debian"},
		{name: "Deb822", files: map[string]string{
			"sources.list.d/debian.sources": "Types: deb\n# http://snapshot.debian.org/archive/debian/x\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://deb.example/debian-security\nSuites: bookworm-security\n",
		}, want: "http://deb.example/debian"},
		{name: "SuitePreferred", files: map[string]string{
			"sources.list":                     "deb https://packages.other.example/apt cloud-sdk main\n",
			"sources.list.d/a.sources":         "Types: deb\nURIs: http://old.example/debian\nSuites: bullseye\n",
			"sources.list.d/b.list":            "deb http://new.example/debian bookworm main\n",
			"sources.list.d/c.list.disabled":   "deb http://disabled.example/debian bookworm main\n",
			"sources.list.d/d.sources.ignored": "Types: deb\nURIs: http://ignored.example/debian\nSuites: bookworm\n",
		}, want: "http://new.example/debian"},
		{name: "DebianPathFallback", files: map[string]string{
			"sources.list.d/a.sources": "Types: deb\nURIs: https://deb.nodesource.example/node\nSuites: nodistro\n\nTypes: deb\nURIs: http://old.example/debian/\nSuites: bullseye\n",
		}, want: "http://old.example/debian/"},
		{name: "Disabled", files: map[string]string{
			"sources.list.d/a.sources": "Enabled: no\nTypes: deb\nURIs: http://off.example/debian\nSuites: bookworm\n",
		}, want: FallbackMirror},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, c.files)
			if got := hostMirror(dir, "bookworm"); got != c.want {
				t.Errorf("hostMirror = %q, want %q", got, c.want)
			}
		})
	}
}
