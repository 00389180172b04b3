package distribution

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// storeState is what a store holds on disk and in its records: the layer
// records, the layer directories, the short links and tmp/ entries.
func storeState(tb testing.TB, s *image.Store) string {
	tb.Helper()
	layers, err := s.Layers(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, l := range layers {
		ids = append(ids, l.DiffID.String())
	}
	slices.Sort(ids)
	out := "records: " + strings.Join(ids, " ")
	for _, d := range []string{"layers", "l", "tmp"} {
		entries, err := os.ReadDir(filepath.Join(s.Root(), d))
		if err != nil {
			tb.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		out += "\n" + d + ": " + strings.Join(names, " ")
	}
	return out
}

// TestLoadFailureRollsBackItsLayers loads docker-archives that fail
// part-way: the layers the load applied before failing are removed at
// once (before, they waited 30 minutes for GC), and the store holds
// exactly what it held before. A layer that was there before the load,
// or that another lease holds meanwhile, stays.
func TestLoadFailureRollsBackItsLayers(t *testing.T) {
	ctx := context.Background()
	good := makeTar(t, dir("etc/"), file("etc/good", []byte("the good first layer")))
	other := makeTar(t, dir("opt/"), file("opt/second", []byte("a good second layer")))
	corrupt := bytes.Repeat([]byte("this is not a tar archive. "), 40)

	t.Run("corrupt second layer", func(t *testing.T) {
		s := newStore(t)
		d := newService(t, s, Config{})
		busyboxImage(t, s, "busybox") // something that must stay
		before := storeState(t, s)
		archive := (&dockerSave{layers: [][]byte{good, corrupt}, tags: []string{"broken:1"}}).build(t)
		_, err := d.Load(ctx, bytes.NewReader(archive), nil)
		if err == nil || !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "layer.tar") {
			t.Fatalf("load: got %v, want an invalid-argument error naming the layer entry", err)
		}
		if after := storeState(t, s); after != before {
			t.Errorf("the store changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})

	t.Run("wrong DiffID after every layer applied", func(t *testing.T) {
		s := newStore(t)
		d := newService(t, s, Config{})
		before := storeState(t, s)
		ds := &dockerSave{layers: [][]byte{good, other}, tags: []string{"broken:2"}}
		ds.mutate = func(e []tarEntry) []tarEntry {
			// The config lists the second layer's DiffID twice.
			for i := range e {
				if hexJSONRE.MatchString(e[i].name) {
					cfg := bytes.Replace(e[i].body, []byte(digest.FromBytes(good).Encoded()), []byte(digest.FromBytes(other).Encoded()), 1)
					name := digest.FromBytes(cfg).Encoded() + ".json"
					for j := range e {
						if e[j].name == "manifest.json" {
							e[j].body = bytes.Replace(e[j].body, []byte(e[i].name), []byte(name), 1)
						}
					}
					e[i] = file(name, cfg)
				}
			}
			return e
		}
		_, err := d.Load(ctx, bytes.NewReader(ds.build(t)), nil)
		if err == nil || !strings.Contains(err.Error(), "the config says") {
			t.Fatalf("load: got %v, want a DiffID mismatch", err)
		}
		if after := storeState(t, s); after != before {
			t.Errorf("the store changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})

	t.Run("layers that existed or are shared stay", func(t *testing.T) {
		s := newStore(t)
		d := newService(t, s, Config{})
		// The first layer is in the store already (an earlier load,
		// unreferenced and young): the failed load must not take it.
		if _, err := s.ApplyTar(ctx, bytes.NewReader(good)); err != nil {
			t.Fatal(err)
		}
		// A concurrent piece of work holds the second layer's content
		// once the failing load has made it.
		otherCtx, release := s.WithLease(ctx)
		defer release()
		s.Lease(otherCtx, digest.FromBytes(other))

		archive := (&dockerSave{layers: [][]byte{good, other, corrupt}, tags: []string{"broken:3"}}).build(t)
		if _, err := d.Load(ctx, bytes.NewReader(archive), nil); err == nil {
			t.Fatal("the load of a corrupt archive succeeded")
		}
		layers, err := s.Layers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		have := map[digest.Digest]bool{}
		for _, l := range layers {
			have[l.DiffID] = true
		}
		if !have[digest.FromBytes(good)] {
			t.Errorf("the layer that existed before the load was removed")
		}
		if !have[digest.FromBytes(other)] {
			t.Errorf("the layer another lease holds was removed")
		}
		if len(layers) != 2 {
			t.Errorf("%d layers after the failed load, want 2", len(layers))
		}
		release()
		if _, _, err := s.GC(ctx); err != nil {
			t.Fatal(err)
		}
		if after := storeState(t, s); after != "records: \nlayers: \nl: \ntmp: " {
			t.Errorf("after GC the store holds:\n%s", after)
		}
	})
}
