package image

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	bolt "go.etcd.io/bbolt"
)

// The crash test re-executes the test binary as a child that opens a store,
// works up to a chosen point, prints crashReady and blocks; the parent then
// kills it with SIGKILL and checks what the next Open finds.
const (
	crashPointEnv = "CRT_IMAGE_CRASH_POINT"
	crashRootEnv  = "CRT_IMAGE_CRASH_ROOT"
	crashReady    = "CRASH-POINT-REACHED"
)

// TestCrashChild is the child side, a helper process in the manner of
// os/exec's TestHelperProcess: in a normal run it returns at once (it is
// not skipped, so that CI's rule "no skipped test" holds), and the parent
// TestCrashDuringCommit is what asserts.
func TestCrashChild(t *testing.T) {
	point := os.Getenv(crashPointEnv)
	if point == "" {
		return
	}
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv(crashRootEnv))
	if err != nil {
		t.Fatal(err)
	}
	stop := func() {
		fmt.Println(crashReady)
		select {} // wait for SIGKILL
	}
	switch point {
	case "staged": // files half written in tmp/
		w, err := s.NewLayer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, w.Dir(), "etc/half", "written")
		stop()
	case "extracting": // ApplyTar reading a stream that stops coming
		pr, pw := io.Pipe()
		go func() {
			data := makeTar(t, tDir("etc/", 0o755), tFile("etc/a", "a", 0o644), tFile("etc/b", strings.Repeat("b", 1<<20), 0o644))
			pw.Write(data[:4096])
			stop()
		}()
		s.ApplyTar(ctx, pr)
	case "renamed": // layer directory in place, not recorded
		s.hooks.afterRename = stop
		commitLayer(t, ctx, s, "etc/renamed", "x")
	case "before-image": // layers recorded, image not yet
		commitLayer(t, ctx, s, "etc/layer", "x")
		stop()
	case "gc": // GC deleted the records, not yet the directories
		keep := commitLayer(t, ctx, s, "keep", "k")
		createImage(t, s, "keep", []digest.Digest{keep.DiffID}, "keep")
		commitLayer(t, ctx, s, "garbage", "g")
		s.GCGrace = 0
		s.hooks.afterGCRecord = stop
		s.GC(ctx)
	}
	t.Fatalf("crash point %q was not reached", point)
}

func TestCrashDuringCommit(t *testing.T) {
	requireRoot(t)
	cases := []struct {
		point      string
		wantImages []string // names of the images the store must list
		wantLayers int
	}{
		{point: "staged"},
		{point: "extracting"},
		{point: "renamed"},
		{point: "before-image", wantLayers: 1},
		{point: "gc", wantImages: []string{"keep:latest"}, wantLayers: 1},
	}
	for _, c := range cases {
		t.Run(c.point, func(t *testing.T) {
			root := t.TempDir()
			out := runCrashChild(t, c.point, root)

			s, err := Open(t.Context(), root)
			if err != nil {
				t.Fatalf("Open after the crash: %v (child output: %s)", err, out)
			}
			defer s.Close()
			checkConsistent(t, s)
			imgs, err := s.Images(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, i := range imgs {
				names = append(names, i.Names...)
			}
			if !reflect.DeepEqual(names, c.wantImages) {
				t.Errorf("images after the crash: %v, want %v", names, c.wantImages)
			}
			if ls, _ := s.Layers(t.Context()); len(ls) != c.wantLayers {
				t.Errorf("%d layers after the crash, want %d", len(ls), c.wantLayers)
			}
			// What the crash left unreferenced is collectable.
			s.GCGrace = 0
			if _, _, err := s.GC(t.Context()); err != nil {
				t.Fatal(err)
			}
			checkConsistent(t, s)
		})
	}
}

// runCrashChild runs TestCrashChild up to point and kills it there.
func runCrashChild(t *testing.T, point, root string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), crashPointEnv+"="+point, crashRootEnv+"="+root)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reached := make(chan bool, 1)
	var out strings.Builder
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if sc.Text() == crashReady {
				reached <- true
				io.Copy(io.Discard, stdout)
				return
			}
		}
		reached <- false
	}()
	select {
	case ok := <-reached:
		if !ok {
			cmd.Wait()
			t.Fatalf("the child exited before the crash point: %s %s", out.String(), stderr.String())
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child did not reach the crash point")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return out.String()
}

// checkConsistent asserts the invariants a crash must not break: every
// image's layers are recorded and on disk, every directory in layers/ is
// recorded, every link in l/ points at a recorded layer, tmp/ is empty
// after Open.
func checkConsistent(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	layers, err := s.Layers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	var links []string
	for _, l := range layers {
		recorded[l.DiffID.Encoded()] = true
		links = append(links, shortName(l.DiffID))
		if _, err := os.Stat(s.LayerDir(l.DiffID)); err != nil {
			t.Errorf("recorded layer %s has no directory: %v", l.DiffID, err)
		}
	}
	for _, d := range dirEntries(t, s.layersDir()) {
		if !recorded[d] {
			t.Errorf("unrecorded layer directory %s", d)
		}
	}
	sort.Strings(links)
	if got := dirEntries(t, s.linksDir()); !reflect.DeepEqual(got, links) && !(len(got) == 0 && len(links) == 0) {
		t.Errorf("l/ holds %v, want %v", got, links)
	}
	imgs, err := s.Images(ctx)
	if err != nil {
		t.Fatalf("listing images: %v", err)
	}
	for _, img := range imgs {
		for _, l := range img.Layers {
			if !recorded[l.Encoded()] {
				t.Errorf("image %s lists missing layer %s", img.ID, l)
			}
		}
	}
	if err := s.db.View(func(tx *bolt.Tx) error {
		return bucket(tx, bucketNames).ForEach(func(k, v []byte) error {
			if bucket(tx, bucketImages).Get(v) == nil {
				t.Errorf("name %s points at missing image %s", k, v)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if left := dirEntries(t, filepath.Join(s.Root(), "tmp")); len(left) != 0 {
		t.Errorf("tmp/ holds %v", left)
	}
}
