package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// contender is one builder under test.
type contender interface {
	// name labels its rows.
	name() string
	// build builds the context once, reusing nothing when cold, and
	// returns the timing and the build's output.
	build(ctx context.Context, ctxDir string, cold bool) (measure.Sample, string, error)
	// reused counts the steps a build's output says were reused from the
	// cache (FROM not counted), and steps is how many a fully cached
	// build reuses.
	reused(out string) int
	steps() int
}

// oursLabel is our row's name.
const oursLabel = "ours (builder.Builder, in-process)"

// compare warms the contenders up, times cfg.n rounds and prints the cold
// and the cached table. A peer failing during warm-up is dropped with the
// reason; ours failing, or anyone failing later, is an error.
func compare(ctx context.Context, cfg config, ctxDir string, cs []contender, skipped [][2]string) error {
	var kept []contender
	for _, c := range cs {
		var err error
		for range cfg.warmup {
			if _, _, err = c.build(ctx, ctxDir, true); err != nil {
				break
			}
			if _, _, err = c.build(ctx, ctxDir, false); err != nil {
				break
			}
		}
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err == nil:
			kept = append(kept, c)
		case c.name() == oursLabel:
			return fmt.Errorf("warm-up: %w", err)
		default:
			skipped = append(skipped, [2]string{c.name(), "failed during warm-up: " + oneLine(err)})
		}
	}
	cold := make([]*measure.Series, len(kept))
	cached := make([]*measure.Series, len(kept))
	odd := make([][]string, len(kept))
	for j, c := range kept {
		cold[j] = &measure.Series{Name: c.name()}
		cached[j] = &measure.Series{Name: c.name()}
	}
	for i := range cfg.n {
		for k := range kept {
			j := (i + k) % len(kept)
			c := kept[j]
			s, out, err := c.build(ctx, ctxDir, true)
			if err != nil {
				return fmt.Errorf("%s, cold build of round %d: %w", c.name(), i+1, err)
			}
			cold[j].Add(s)
			if cfg.verbose {
				fmt.Fprintf(os.Stderr, "--- %s, round %d, cold:\n%s\n", c.name(), i+1, out)
			}
			if got := c.reused(out); got != 0 {
				odd[j] = append(odd[j], fmt.Sprintf("round %d: the cold build reused %d step(s)", i+1, got))
			}
			if s, out, err = c.build(ctx, ctxDir, false); err != nil {
				return fmt.Errorf("%s, cached build of round %d: %w", c.name(), i+1, err)
			}
			cached[j].Add(s)
			if cfg.verbose {
				fmt.Fprintf(os.Stderr, "--- %s, round %d, cached:\n%s\n", c.name(), i+1, out)
			}
			if got := c.reused(out); got != c.steps() {
				odd[j] = append(odd[j], fmt.Sprintf("round %d: the cached build reused %d of %d steps", i+1, got, c.steps()))
			}
		}
	}
	fmt.Println()
	measure.Print(os.Stdout, "-- cold (nothing reused)", oursLabel, cold)
	fmt.Println()
	measure.Print(os.Stdout, "-- cached (unchanged rebuild, every step reused)", oursLabel, cached)
	fmt.Println()
	for _, s := range skipped {
		measure.Skipped(os.Stdout, s[0], s[1])
	}
	for j, c := range kept {
		for _, o := range odd[j] {
			fmt.Printf("  warning: %s: %s\n", c.name(), o)
		}
	}
	fmt.Printf("  load average at end: %s\n", loadavg())
	return nil
}

// oneLine is err's message on one line, at most 300 bytes.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
