package container

import (
	"context"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// BenchmarkRunRm is `run --rm busybox true` through the service: create,
// start, wait until removed.
func BenchmarkRunRm(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	for b.Loop() {
		c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", AutoRemove: true, Network: "host", Cmd: []string{"/bin/true"}})
		if err != nil {
			b.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		if err := f.svc.Start(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := f.svc.Wait(wctx, c.ID, "removed"); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}
