package container

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/events"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/runtime"
)

// requireRoot skips tests that mount, make namespaces and cgroups.
func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(tb, "needs root: mounts OverlayFS, creates namespaces and cgroups")
	}
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(tb, "needs /bin/busybox (Debian busybox-static) for the test image")
	}
}

// fixture is a Service on temporary roots with a busybox image.
type fixture struct {
	root, execRoot string
	store          *image.Store
	rt             *runtime.Runtime
	bus            *events.Bus
	svc            *Service
	events         <-chan api.Event
}

// newFixture opens a store with the image "busybox" (CMD echo hello) and
// a Service over it. Cleanup removes every container and checks that
// nothing stays mounted under the roots.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	requireRoot(tb)
	ctx := context.Background()
	f := &fixture{root: tb.TempDir(), execRoot: tb.TempDir(), bus: events.New()}
	var err error
	if f.store, err = image.Open(ctx, f.root); err != nil {
		tb.Fatalf("opening the image store: %v", err)
	}
	addImage(tb, f.store, "busybox", nil, []string{"echo", "hello"})
	if f.rt, err = runtime.New(filepath.Join(f.execRoot, "runtime")); err != nil {
		tb.Fatal(err)
	}
	evctx, cancel := context.WithCancel(ctx)
	f.events = f.bus.Subscribe(evctx)
	f.svc = f.open(tb)
	tb.Cleanup(func() {
		cancel()
		if f.svc != nil {
			for _, c := range f.svc.entries() {
				if err := f.svc.Remove(ctx, c.id, true); err != nil {
					tb.Errorf("cleanup: removing %s: %v", c.name, err)
				}
			}
			f.svc.Close()
		}
		f.store.Close()
		assertNoMounts(tb, f.root)
	})
	return f
}

// open makes a Service on the fixture's roots (a daemon (re)start).
func (f *fixture) open(tb testing.TB) *Service {
	tb.Helper()
	s, err := New(context.Background(), Config{Root: f.root, ExecRoot: f.execRoot, Images: f.store, Runtime: f.rt, Events: f.bus})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

// addImage registers an image of one busybox layer.
func addImage(tb testing.TB, s *image.Store, name string, startup [][]string, cmd []string) image.Image {
	tb.Helper()
	ctx := context.Background()
	w, err := s.NewLayer(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := busyboxfs.Create(w.Dir()); err != nil {
		tb.Fatal(err)
	}
	// A user for the exec and user tests.
	passwd := "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	group := "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n"
	os.WriteFile(filepath.Join(w.Dir(), "etc/passwd"), []byte(passwd), 0o644)
	os.WriteFile(filepath.Join(w.Dir(), "etc/group"), []byte(group), 0o644)
	layer, err := w.Commit(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	img, err := s.CreateImage(ctx, image.Image{
		Layers:          []digest.Digest{layer.DiffID},
		Config:          ocispec.Image{Config: ocispec.ImageConfig{Cmd: cmd, Env: []string{"IMAGE_VAR=from-image"}}},
		StartupCommands: startup,
	}, name)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// run creates and starts a container and returns its id.
func (f *fixture) run(tb testing.TB, req api.ContainerCreate) string {
	tb.Helper()
	ctx := context.Background()
	if req.Image == "" {
		req.Image = "busybox"
	}
	c, err := f.svc.Create(ctx, req)
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	if err := f.svc.Start(ctx, c.ID); err != nil {
		tb.Fatalf("Start: %v", err)
	}
	return c.ID
}

// wait waits (bounded) for the container to stop running.
func (f *fixture) wait(tb testing.TB, id string) api.WaitResult {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := f.svc.Wait(ctx, id, "not-running")
	if err != nil {
		tb.Fatalf("Wait: %v", err)
	}
	return res
}

// logs returns the container's whole log as text (stdout and stderr).
func (f *fixture) logs(tb testing.TB, id string) string {
	tb.Helper()
	var w bufFrames
	if err := f.svc.Logs(context.Background(), id, LogsOptions{Stdout: true, Stderr: true, Tail: -1}, &w); err != nil {
		tb.Fatalf("Logs: %v", err)
	}
	return w.String()
}

// waitEvent waits (bounded) for an event of the container with action.
func (f *fixture) waitEvent(tb testing.TB, id, action string) api.Event {
	tb.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e := <-f.events:
			if e.ID == id && e.Action == action {
				return e
			}
		case <-timeout:
			tb.Fatalf("no %q event for %s", action, id)
		}
	}
}

// bufFrames collects frames as text.
type bufFrames struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *bufFrames) WriteFrame(stream byte, p []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	return nil
}

func (b *bufFrames) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// assertNoMounts fails if anything is mounted under dir.
func assertNoMounts(tb testing.TB, dir string) {
	tb.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], dir) {
			tb.Errorf("still mounted: %s", f[4])
		}
	}
}
