package builder

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/runtime"
	"github.com/container-runtime/container-runtime/snapshot"
)

// TestCleanLeftoversOfKilledRun is what a daemon killed during a RUN
// leaves: the step's container still running and writing into its layer
// (staged in the store's tmp/), its overlay mounted under the builder's
// mount directory, its runtime state and cgroup. CleanLeftovers kills it
// through the runtime's record, unmounts and removes the mount point, and
// the image store then opens (before, every restart failed with
// "recovering image store: ... directory not empty" while the RUN wrote).
func TestCleanLeftoversOfKilledRun(t *testing.T) {
	requireRoot(t)
	ctx := context.Background()
	root := t.TempDir()
	store, err := image.Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	img := addBusybox(t, store)
	rt, err := runtime.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b := &Builder{Store: store}
	dir, err := b.mountDir()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 || !strings.HasPrefix(dir, root) {
		t.Fatalf("mount directory %s: %v %v, want 0700 under %s", dir, fi.Mode(), err, root)
	}

	// The step as execRun sets it up, then a "crash": nobody waits for it.
	w, err := store.NewLayer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	target, err := os.MkdirTemp(dir, "rootfs-")
	if err != nil {
		t.Fatal(err)
	}
	if err := snapshot.Mount(ctx, target, store.LowerDirs(img.Layers), w.Dir(), w.WorkDir()); err != nil {
		t.Fatal(err)
	}
	spec, err := stepSpec(RunRequest{Rootfs: target, Args: []string{"sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /f$i; done"}, Network: NetworkNone})
	if err != nil {
		t.Fatal(err)
	}
	id, err := stepID()
	if err != nil {
		t.Fatal(err)
	}
	proc, err := rt.Create(ctx, id, runtime.CreateOptions{Bundle: target, Spec: spec})
	if err != nil {
		snapshot.Unmount(target)
		t.Fatal(err)
	}
	go proc.Wait() // the test process is its parent: reap it
	if err := rt.Start(ctx, id); err != nil {
		rt.Delete(ctx, id, true)
		snapshot.Unmount(target)
		t.Fatal(err)
	}
	waitWritten(t, w.Dir())
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	if err := CleanLeftovers(ctx, rt, root); err != nil {
		t.Fatalf("CleanLeftovers: %v", err)
	}
	if err := unix.Kill(proc.Pid, 0); err == nil && !zombie(proc.Pid) {
		t.Errorf("the step's process %d still runs", proc.Pid)
	}
	if _, err := os.Stat(filepath.Join(rt.Root, id)); !os.IsNotExist(err) {
		t.Errorf("the step's runtime state remains: %v", err)
	}
	if n := buildMounts(t, root); n != 0 {
		t.Errorf("%d builder mounts remain", n)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("the mount directory holds %v (%v)", entries, err)
	}
	store, err = image.Open(ctx, root)
	if err != nil {
		t.Fatalf("the image store does not open after the cleaning: %v", err)
	}
	defer store.Close()
	if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
		t.Errorf("the store's tmp/ still holds %d entries", len(entries))
	}
}

// TestRunMountsUnderRoot: a RUN step's root is mounted under
// <root>/builder, never in /tmp, and nothing stays there afterwards.
func TestRunMountsUnderRoot(t *testing.T) {
	e := newTestEnv(t)
	seen := &mountSpy{next: e.runner.next}
	e.runner.next = seen
	ctxDir := newContext(t, "FROM busybox\nRUN echo hi > /hi\n", nil)
	e.mustBuild(t, Options{ContextDir: ctxDir})
	want := MountDir(e.store.Root()) + "/rootfs-"
	if len(seen.roots) != 1 || !strings.HasPrefix(seen.roots[0], want) {
		t.Fatalf("RUN roots %v, want one under %s", seen.roots, want)
	}
	if entries, err := os.ReadDir(MountDir(e.store.Root())); err != nil || len(entries) != 0 {
		t.Fatalf("the mount directory holds %v after the build (%v)", entries, err)
	}
}

// mountSpy records the roots of the RUN steps it passes on.
type mountSpy struct {
	next  Runner
	roots []string
}

func (m *mountSpy) Run(ctx context.Context, req RunRequest) (int, error) {
	m.roots = append(m.roots, req.Rootfs)
	return m.next.Run(ctx, req)
}

// waitWritten waits until the step wrote into its layer.
func waitWritten(tb testing.TB, dir string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if entries, _ := os.ReadDir(dir); len(entries) > 3 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("the step wrote nothing into its layer")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// zombie reports whether pid is a process that ended and awaits its
// parent's wait.
func zombie(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	return err == nil && strings.Contains(string(b), ") Z ")
}
