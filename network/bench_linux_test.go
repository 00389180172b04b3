package network

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchSetup measures Setup then Teardown of one container on network.
func benchSetup(b *testing.B, network string) {
	needRoot(b)
	cfg := testConfig(b)
	m := newManager(b, cfg)
	ctx := context.Background()
	var inSetup time.Duration
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("bench-%d", i)
		i++
		start := time.Now()
		if _, err := m.Setup(ctx, Request{ContainerID: id, Network: network}); err != nil {
			b.Fatal(err)
		}
		inSetup += time.Since(start)
		if err := m.Teardown(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	// Setup alone is what a container start waits for.
	b.ReportMetric(float64(inSetup.Nanoseconds())/float64(i), "setup-ns/op")
	// The veth deletions Teardown leaves to the background.
	start := time.Now()
	m.reaping.Wait()
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(i), "reap-wait-ns/op")
}

// BenchmarkSetupTeardownBridge is a container's network on the default
// bridge: namespace, veth pair, address, route, record; and its removal.
func BenchmarkSetupTeardownBridge(b *testing.B) { benchSetup(b, Bridge) }

// BenchmarkSetupNone is the namespace alone (lo up, record), the cost a
// container with --network none pays too.
func BenchmarkSetupNone(b *testing.B) { benchSetup(b, None) }
