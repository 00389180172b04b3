package network

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
	"github.com/container-runtime/container-runtime/errdefs"
)

// runOnce is `run --rm --network NETWORK IMAGE /bin/true` through the
// client: create, start, wait until the daemon removed it.
func runOnce(ctx context.Context, cl *client.Client, image, network string) error {
	created, err := cl.ContainerCreate(ctx, api.ContainerCreate{Image: image, Cmd: []string{"/bin/true"}, Network: network, AutoRemove: true})
	if err != nil {
		return err
	}
	if err := cl.ContainerStart(ctx, created.ID); err != nil {
		return err
	}
	res, err := cl.ContainerWait(ctx, created.ID, client.WaitRemoved)
	if errors.Is(err, errdefs.ErrNotFound) {
		return nil // removed before the wait began
	}
	if err == nil && res.StatusCode != 0 {
		err = fmt.Errorf("exit code %d", res.StatusCode)
	}
	return err
}

// BenchmarkRunBridgeVsNone runs a container on the default bridge and one
// with --network none in turn (so that both see the same machine load)
// and reports each one's time and the difference: what the bridge costs
// a `run --rm`.
func BenchmarkRunBridgeVsNone(b *testing.B) {
	d := startDaemon(b)
	img := d.image(b)
	ctx := context.Background()
	// Warm up both paths (image, caches, the first bridge port).
	for _, n := range []string{"bridge", "none"} {
		if err := runOnce(ctx, d.Client, img, n); err != nil {
			b.Fatal(err)
		}
	}
	var bridge, none time.Duration
	runs := 0
	for b.Loop() {
		for _, n := range []string{"bridge", "none"} {
			start := time.Now()
			if err := runOnce(ctx, d.Client, img, n); err != nil {
				b.Fatalf("network %s: %v", n, err)
			}
			if n == "bridge" {
				bridge += time.Since(start)
			} else {
				none += time.Since(start)
			}
		}
		runs++
	}
	b.ReportMetric(float64(bridge.Nanoseconds())/float64(runs), "bridge-ns/run")
	b.ReportMetric(float64(none.Nanoseconds())/float64(runs), "none-ns/run")
	b.ReportMetric(float64((bridge-none).Nanoseconds())/float64(runs), "diff-ns/run")
	b.ReportMetric(float64(bridge)/float64(none), "ratio")
	b.ReportMetric(float64(attachPhase(b, ctx, d, img).Nanoseconds()), "bridge-attach-ns")
}

// attachPhase is the median of the "network" start phase (the daemon's
// Attach: veth, address, route, files) of bridge containers, which the
// difference of whole runs measures only through their noise.
func attachPhase(b *testing.B, ctx context.Context, d *testDaemon, img string) time.Duration {
	b.Helper()
	var phases []time.Duration
	for range 21 {
		created, err := d.Client.ContainerCreate(ctx, api.ContainerCreate{Image: img, Cmd: []string{"/bin/true"}})
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Client.ContainerStart(ctx, created.ID); err != nil {
			b.Fatal(err)
		}
		ci, err := d.Client.ContainerInspect(ctx, created.ID)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ci.StartPhases {
			if p.Name == "network" {
				phases = append(phases, p.Duration)
			}
		}
		if err := d.Client.ContainerRemove(ctx, created.ID, true); err != nil {
			b.Fatal(err)
		}
	}
	if len(phases) == 0 {
		b.Fatal("no network phase in the containers' start phases")
	}
	slices.Sort(phases)
	return phases[len(phases)/2]
}
