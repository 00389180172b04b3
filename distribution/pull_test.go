package distribution

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/container-runtime/container-runtime/image"
)

// TestPushPullRoundTrip pushes a built image, removes it with its layers,
// pulls it back and checks that it is the same image: id, layers, startup
// commands, Docker-style config and files (whiteouts and opaque
// directories included).
func TestPushPullRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	reg := newRegistry(t, nil)
	d := newService(t, s, Config{})
	name := reg.host + "/test/busybox:1"
	orig := busyboxImage(t, s, name)

	var events []Progress
	var mu sync.Mutex
	record := func(p Progress) { mu.Lock(); events = append(events, p); mu.Unlock() }
	dg, err := d.Push(ctx, name, PushOptions{Progress: record})
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if dg.Validate() != nil {
		t.Fatalf("Push returned digest %q", dg)
	}
	if !slices.ContainsFunc(events, func(p Progress) bool { return p.Status == StatusPushed }) {
		t.Errorf("no %q progress in %v", StatusPushed, events)
	}

	removeAll(t, s)
	if layers, _ := s.Layers(ctx); len(layers) != 0 {
		t.Fatalf("layers left before the pull: %v", layers)
	}

	reg.reset()
	events = nil
	got, err := d.Pull(ctx, name, PullOptions{Progress: record})
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if got.ID != orig.ID {
		t.Errorf("pulled image id %s, pushed %s", got.ID, orig.ID)
	}
	if !slices.Equal(got.Layers, orig.Layers) {
		t.Errorf("pulled layers %v, pushed %v", got.Layers, orig.Layers)
	}
	if !slices.Equal(got.Names, []string{name}) {
		t.Errorf("pulled image names %v, want [%s]", got.Names, name)
	}
	if len(got.StartupCommands) != 1 || !slices.Equal(got.StartupCommands[0], []string{"/bin/echo", "started"}) {
		t.Errorf("startup commands %v", got.StartupCommands)
	}
	if !slices.Equal(got.Config.Config.Cmd, []string{"/bin/sh"}) || got.Config.Config.WorkingDir != "/root" {
		t.Errorf("config %+v", got.Config.Config)
	}
	checkBusyboxFiles(t, s, got)
	if n := reg.count("GET", "/blobs/"); n != 3 {
		t.Errorf("%d blob GETs, want 3 (config and two layers)", n)
	}
	if !slices.ContainsFunc(events, func(p Progress) bool { return p.Status == StatusDownloading && p.Current == p.Total && p.Total > 0 }) {
		t.Errorf("no complete %q progress in %v", StatusDownloading, events)
	}

	t.Run("again", func(t *testing.T) {
		// Everything is there: only the manifest and config are read.
		reg.reset()
		again, err := d.Pull(ctx, name, PullOptions{})
		if err != nil {
			t.Fatalf("Pull: %v", err)
		}
		if again.ID != orig.ID {
			t.Errorf("id %s, want %s", again.ID, orig.ID)
		}
		if n := reg.count("GET", "/blobs/"); n != 1 {
			t.Errorf("%d blob GETs, want 1 (the config)", n)
		}
	})

	t.Run("push again", func(t *testing.T) {
		// The registry has every blob: nothing is uploaded.
		reg.reset()
		if _, err := d.Push(ctx, name, PushOptions{}); err != nil {
			t.Fatalf("Push: %v", err)
		}
		if n := reg.count("POST", "/blobs/uploads"); n != 0 {
			t.Errorf("%d uploads started, want 0", n)
		}
	})

	t.Run("by digest", func(t *testing.T) {
		removeAll(t, s)
		img, err := d.Pull(ctx, reg.host+"/test/busybox@"+dg.String(), PullOptions{})
		if err != nil {
			t.Fatalf("Pull: %v", err)
		}
		if img.ID != orig.ID || len(img.Names) != 0 {
			t.Errorf("got id %s names %v, want id %s and no name", img.ID, img.Names, orig.ID)
		}
	})
}

// TestPullSharesLayers pulls an image whose base layer the store has:
// only the new layer is downloaded.
func TestPullSharesLayers(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	reg := newRegistry(t, nil)
	d := newService(t, s, Config{})
	img := busyboxImage(t, s, reg.host+"/test/two:1")
	base, err := s.CreateImage(ctx, image.Image{Layers: img.Layers[:1], Created: fixtureTime()}, reg.host+"/test/base:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{reg.host + "/test/two:1", reg.host + "/test/base:1"} {
		if _, err := d.Push(ctx, n, PushOptions{}); err != nil {
			t.Fatalf("Push %s: %v", n, err)
		}
	}
	removeAll(t, s)
	if _, err := d.Pull(ctx, reg.host+"/test/base:1", PullOptions{}); err != nil {
		t.Fatal(err)
	}
	reg.reset()
	var already []string
	got, err := d.Pull(ctx, reg.host+"/test/two:1", PullOptions{Progress: func(p Progress) {
		if p.Status == StatusAlreadyExists {
			already = append(already, p.ID)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Layers[0] != base.Layers[0] {
		t.Errorf("base layer %s, want %s", got.Layers[0], base.Layers[0])
	}
	if n := reg.count("GET", "/blobs/"); n != 2 {
		t.Errorf("%d blob GETs, want 2 (config and the top layer)", n)
	}
	if len(already) != 1 {
		t.Errorf("%q reported for %v, want one layer", StatusAlreadyExists, already)
	}
}

// TestConcurrentPullsShare starts a second pull of an image while the
// first waits for its manifest: the second joins the first, and the
// registry sees one manifest request and one download per layer.
func TestConcurrentPullsShare(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var gate atomic.Bool
	requested := make(chan struct{}, 1)
	release := make(chan struct{})
	reg := newRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if gate.Load() && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") {
				select {
				case requested <- struct{}{}:
				default:
				}
				<-release
			}
			next.ServeHTTP(w, r)
		})
	})
	name := reg.host + "/test/busybox:1"
	orig := busyboxImage(t, s, name)
	if _, err := newService(t, s, Config{}).Push(ctx, name, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	removeAll(t, s)
	reg.reset()
	gate.Store(true)

	d := newService(t, s, Config{})
	joined := make(chan struct{})
	d.hooks.joined = func(string) { close(joined) }
	var wg sync.WaitGroup
	results := make([]image.Image, 2)
	errs := make([]error, 2)
	pull := func(i int, ref string) {
		defer wg.Done()
		results[i], errs[i] = d.Pull(ctx, ref, PullOptions{})
	}
	wg.Add(2)
	go pull(0, name)
	<-requested
	go pull(1, name)
	<-joined
	close(release)
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("pull %d: %v", i, errs[i])
		}
		if results[i].ID != orig.ID {
			t.Errorf("pull %d: id %s, want %s", i, results[i].ID, orig.ID)
		}
	}
	if n := reg.count("GET", "/manifests/"); n != 1 {
		t.Errorf("%d manifest GETs, want 1", n)
	}
	if n := reg.count("GET", "/blobs/"); n != 3 {
		t.Errorf("%d blob GETs, want 3", n)
	}
}

// TestPullCancelled cancels a pull waiting for its manifest: it returns
// the context's error and leaves nothing behind; the next pull starts
// afresh and succeeds.
func TestPullCancelled(t *testing.T) {
	s := newStore(t)
	var gate atomic.Bool
	requested := make(chan struct{}, 1)
	reg := newRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if gate.Load() && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") {
				requested <- struct{}{}
				<-r.Context().Done()
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	name := reg.host + "/test/busybox:1"
	busyboxImage(t, s, name)
	d := newService(t, s, Config{})
	if _, err := d.Push(context.Background(), name, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	removeAll(t, s)
	gate.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := d.Pull(ctx, name, PullOptions{})
		done <- err
	}()
	<-requested
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Pull: %v, want context.Canceled", err)
	}
	assertNothingLeft(t, s)
	gate.Store(false)
	if _, err := d.Pull(context.Background(), name, PullOptions{}); err != nil {
		t.Fatalf("Pull after the cancelled one: %v", err)
	}
}
