package builder

import (
	"context"
	"io"
	"testing"
)

// benchBuild builds the five-step build of the issue (FROM busybox, COPY a
// small directory, two RUNs, ENTRYPOINT) b.N times.
func benchBuild(b *testing.B, noCache bool) {
	e := newTestEnv(b)
	dir := newContext(b, fiveSteps, fiveStepsFiles())
	opts := Options{ContextDir: dir, Tags: []string{"bench"}, Progress: io.Discard, NoCache: noCache}
	ctx := context.Background()
	if _, err := e.builder.Build(ctx, opts); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.builder.Build(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildCold runs every step (--no-cache).
func BenchmarkBuildCold(b *testing.B) { benchBuild(b, true) }

// BenchmarkBuildCached rebuilds an unchanged context: every step cached.
func BenchmarkBuildCached(b *testing.B) { benchBuild(b, false) }
