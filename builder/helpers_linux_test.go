package builder

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/runtime"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// requireRoot skips tests that mount and chroot.
func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(tb, "needs root: mounts OverlayFS and runs RUN steps in a chroot")
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		testutil.Missing(tb, "needs /bin/busybox (Debian busybox-static) for the base image")
	}
}

// newTestStore opens a store in a temporary directory.
func newTestStore(tb testing.TB) *image.Store {
	tb.Helper()
	s, err := image.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatalf("opening store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// addBusybox registers a busybox image named "busybox" in s: /bin/busybox
// with its applets as symlinks, an /etc/passwd with root and app (1000),
// /tmp, and /var/run as a symlink to /run.
func addBusybox(tb testing.TB, s *image.Store) image.Image {
	tb.Helper()
	ctx := context.Background()
	w, err := s.NewLayer(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	root := w.Dir()
	for _, d := range []string{"bin", "etc", "tmp", "run", "var", "root"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(root, "tmp"), 0o1777)
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), data, 0o755); err != nil {
		tb.Fatal(err)
	}
	list, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		tb.Fatalf("busybox --list: %v", err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet == "busybox" {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			tb.Fatal(err)
		}
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n",
		"etc/group":  "root:x:0:\napp:x:1001:\nstaff:x:50:\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.Symlink("/run", filepath.Join(root, "var/run")); err != nil {
		tb.Fatal(err)
	}
	layer, err := w.Commit(ctx)
	if err != nil {
		tb.Fatalf("committing busybox layer: %v", err)
	}
	now := time.Now().UTC()
	img, err := s.CreateImage(ctx, image.Image{
		Layers: []digest.Digest{layer.DiffID},
		Config: ocispec.Image{
			Created:  &now,
			Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"},
			Config:   ocispec.ImageConfig{Env: []string{defaultPath}},
			RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{layer.DiffID}},
			History:  []ocispec.History{{Created: &now, CreatedBy: "busybox test fixture"}},
		},
		Created: now,
	}, "busybox")
	if err != nil {
		tb.Fatalf("creating busybox image: %v", err)
	}
	return img
}

// testEnv is a store with the busybox image and a builder on it.
type testEnv struct {
	store   *image.Store
	busybox image.Image
	builder *Builder
	runner  *recordingRunner
}

// testRunner returns the Runner the tests run RUN steps with: real
// containers (RuntimeRunner on package runtime), with their state in a
// temporary directory.
func testRunner(tb testing.TB) Runner {
	tb.Helper()
	rt, err := runtime.New(tb.TempDir())
	if err != nil {
		tb.Fatalf("creating the runtime: %v", err)
	}
	return RuntimeRunner{Runtime: rt}
}

// newTestEnv makes a store with busybox and a builder that runs RUN steps
// with testRunner.
func newTestEnv(tb testing.TB) *testEnv {
	tb.Helper()
	requireRoot(tb)
	s := newTestStore(tb)
	r := &recordingRunner{next: testRunner(tb)}
	return &testEnv{store: s, busybox: addBusybox(tb, s), builder: &Builder{Store: s, Runner: r}, runner: r}
}

// writeTree writes files (path -> content; a trailing "/" makes a
// directory) under dir.
func writeTree(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// newContext writes a build context with a Dockerfile and files.
func newContext(tb testing.TB, dockerfile string, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	writeTree(tb, dir, files)
	writeTree(tb, dir, map[string]string{"Dockerfile": dockerfile})
	return dir
}

// build runs a build and returns the image, the progress and the error.
func (e *testEnv) build(tb testing.TB, opts Options) (image.Image, string, error) {
	tb.Helper()
	var out bytes.Buffer
	opts.Progress = &out
	before := buildMounts(tb, e.store.Root())
	img, err := e.builder.Build(context.Background(), opts)
	if after := buildMounts(tb, e.store.Root()); after != before {
		tb.Errorf("the build left mounts behind: %d before, %d after", before, after)
	}
	return img, out.String(), err
}

// mustBuild runs a build that must succeed.
func (e *testEnv) mustBuild(tb testing.TB, opts Options) (image.Image, string) {
	tb.Helper()
	img, out, err := e.build(tb, opts)
	if err != nil {
		tb.Fatalf("build failed: %v\nprogress:\n%s", err, out)
	}
	return img, out
}

// view returns the merged tree of an image's layers.
func (e *testEnv) view(img image.Image) layerView {
	return layerView{dirs: e.store.LowerDirs(img.Layers)}
}

// readFile reads a file of an image, failing the test when it is missing.
func (e *testEnv) readFile(tb testing.TB, img image.Image, p string) string {
	tb.Helper()
	data, err := e.view(img).readFile(p)
	if err != nil {
		tb.Fatalf("reading %s in the image: %v", p, err)
	}
	return string(data)
}

// lstat returns the info of a path of an image, or nil when it is missing.
func (e *testEnv) lstat(img image.Image, p string) fs.FileInfo {
	_, fi, err := e.view(img).lstat(p)
	if err != nil {
		return nil
	}
	return fi
}

// ownerOf returns the uid and gid of fi.
func ownerOf(fi fs.FileInfo) (uint32, uint32) {
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

// buildMounts counts the builder's mounts on <root>/builder/rootfs-*
// directories in /proc/self/mountinfo. Only root's: other test packages
// running at the same time have builders of their own.
func buildMounts(tb testing.TB, root string) int {
	tb.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 4 && strings.HasPrefix(fields[4], filepath.Join(root, "builder", "rootfs-")) {
			n++
		}
	}
	return n
}

// recordingRunner records the requests it passes on.
type recordingRunner struct {
	next Runner
	mu   sync.Mutex
	reqs []RunRequest
}

func (r *recordingRunner) Run(ctx context.Context, req RunRequest) (int, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	return r.next.Run(ctx, req)
}

// requests returns the requests recorded so far and forgets them.
func (r *recordingRunner) requests() []RunRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// countLines counts the lines of out that contain s.
func countLines(out, s string) int {
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}
