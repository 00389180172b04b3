package container

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestLoadSpecTakesPreparedCopyOfCurrentSpec: the first loadSpec after a
// create returns the copy decoded in the background, each later one a
// copy of its own; a copy decoded from a spec that changed since is not
// used.
func TestLoadSpecTakesPreparedCopyOfCurrentSpec(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Hostname: "first", Cmd: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.svc.lookup(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	prepared := e.decoded
	e.mu.Unlock()
	if prepared == nil {
		t.Fatal("Create prepared no copy of the spec")
	}
	a, err := f.svc.loadSpec(e)
	if err != nil {
		t.Fatal(err)
	}
	if a != prepared.spec || a.Hostname != "first" {
		t.Errorf("first loadSpec: %p (hostname %q), want the prepared copy %p", a, a.Hostname, prepared.spec)
	}
	a.Hostname = "changed by its user"
	b, err := f.svc.loadSpec(e)
	if err != nil {
		t.Fatal(err)
	}
	if b == a || b.Hostname != "first" {
		t.Errorf("second loadSpec: hostname %q, shared with the first: %v", b.Hostname, b == a)
	}

	// A copy prepared from the previous spec (an update replaced it).
	e.prepareSpec()
	b.Hostname = "second"
	enc, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.spec = enc
	e.mu.Unlock()
	got, err := f.svc.loadSpec(e)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hostname != "second" {
		t.Errorf("loadSpec after the spec changed: hostname %q, want second", got.Hostname)
	}
}
