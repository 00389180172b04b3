package container

import (
	"context"
	"errors"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestRename(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Name: "old", Network: "none", Cmd: []string{"sleep", "100"}})
	if _, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Name: "other", Network: "none", Cmd: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Rename(ctx, "old", "other"); !errors.Is(err, errdefs.ErrAlreadyExists) {
		t.Fatalf("rename to a taken name: %v, want ErrAlreadyExists", err)
	}
	if err := f.svc.Rename(ctx, "old", "bad/name"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Fatalf("rename to an invalid name: %v, want ErrInvalidArgument", err)
	}
	if err := f.svc.Rename(ctx, "old", "new"); err != nil {
		t.Fatalf("rename a running container: %v", err)
	}
	ci, err := f.svc.Inspect(ctx, "new")
	if err != nil || ci.ID != id || ci.Name != "new" || ci.State != StateRunning {
		t.Fatalf("inspect new: %+v %v", ci.ContainerSummary, err)
	}
	if _, err := f.svc.Inspect(ctx, "old"); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("the old name still resolves: %v", err)
	}
	// The old name is free for a new container.
	if _, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Name: "old", Network: "none", Cmd: []string{"true"}}); err != nil {
		t.Fatalf("creating with the freed name: %v", err)
	}
	// The new name survives a daemon restart.
	f.svc.Close()
	f.svc = f.open(t)
	if ci, err := f.svc.Inspect(ctx, "new"); err != nil || ci.ID != id {
		t.Fatalf("after a restart: %+v %v", ci.ContainerSummary, err)
	}
	if err := f.svc.Rename(ctx, "new", "other"); !errors.Is(err, errdefs.ErrAlreadyExists) {
		t.Fatalf("after a restart, rename to a taken name: %v", err)
	}
}
