package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// memEngine is what the memory comparison needs of an engine.
type memEngine struct {
	// label names the engine's rows; monitor and daemon name its
	// per-container process and its daemon processes.
	label, monitor, daemon string
	// startSleeper starts one container running sleep in the background.
	startSleeper func(ctx context.Context) error
	// monitors lists the engine's per-container processes.
	monitors func() []int
	// daemons lists the engine's daemon processes; nil: it has none.
	daemons func() []int
	// removeAll force-removes every container.
	removeAll func(ctx context.Context) error
	// startup is the daemons' footprint right after they started.
	startup footprint
}

// memResult is what measureMemory found for one engine.
type memResult struct {
	engine *memEngine
	// monitors is the sum over the monitors of the running containers.
	monitors footprint
	// running and after are the daemons' footprint with the containers
	// running and after they were removed.
	running, after footprint
}

// settle is how long a daemon is left alone before its footprint is
// read (after start-up, after the removals).
const settle = time.Second

// daemonFootprint reads the footprint of e's daemons after settle; the
// zero footprint when it has none.
func daemonFootprint(ctx context.Context, e *memEngine) (footprint, error) {
	if e.daemons == nil {
		return footprint{}, nil
	}
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return footprint{}, ctx.Err()
	}
	return memoryOfAll(e.daemons())
}

// measureMemory starts n sleeping containers with e, sums the footprint
// of their monitors and of the daemons, removes them and reads the
// daemons' footprint again.
func measureMemory(ctx context.Context, e *memEngine, n int) (memResult, error) {
	res := memResult{engine: e}
	for i := range n {
		if err := e.startSleeper(ctx); err != nil {
			return res, fmt.Errorf("%s: starting container %d of %d: %w", e.label, i+1, n, err)
		}
	}
	// A container started in the background runs when the command
	// returns; its monitor is then up.
	var pids []int
	deadline := time.Now().Add(30 * time.Second)
	for pids = e.monitors(); len(pids) != n; pids = e.monitors() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return res, fmt.Errorf("%s: found %d %s processes for %d containers", e.label, len(pids), e.monitor, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var err error
	if res.monitors, err = memoryOfAll(pids); err != nil {
		return res, fmt.Errorf("%s: %w", e.label, err)
	}
	if res.running, err = daemonFootprint(ctx, e); err != nil {
		return res, fmt.Errorf("%s: %w", e.label, err)
	}
	if err := e.removeAll(ctx); err != nil {
		return res, fmt.Errorf("%s: %w", e.label, err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for len(e.monitors()) > 0 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return res, fmt.Errorf("%s: %d %s processes left after the removals", e.label, len(e.monitors()), e.monitor)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res.after, err = daemonFootprint(ctx, e); err != nil {
		return res, fmt.Errorf("%s: %w", e.label, err)
	}
	return res, nil
}

// printMemory writes the memory tables: per container, then the daemons.
// The first result is ours.
func printMemory(w io.Writer, n int, rs []memResult, skipped []skip) {
	fmt.Fprintf(w, "-- per running container: the engine's process per container (the container's own processes are the workload, not counted)\n")
	fmt.Fprintf(w, "  %-44s %6s %14s %14s %15s\n", "", "procs", "PSS/container", "RSS/container", "ours/this PSS")
	for _, r := range rs {
		fmt.Fprintf(w, "  %-44s %6d %14s %14s %15s\n", r.engine.label+": "+r.engine.monitor, r.monitors.Procs,
			mib(r.monitors.PSS, n), mib(r.monitors.RSS, n), kbRatio(rs[0].monitors.PSS, r.monitors.PSS))
	}
	for _, r := range rs[1:] {
		fmt.Fprintf(w, "  ours vs %s: %s× its PSS per container, %s× its RSS per container\n", r.engine.label,
			kbRatio(rs[0].monitors.PSS, r.monitors.PSS), kbRatio(rs[0].monitors.RSS, r.monitors.RSS))
	}
	fmt.Fprintf(w, "\n-- daemon: after start-up (idle, %v after it answered), with the %d containers running, after they were removed (%v later)\n", settle, n, settle)
	fmt.Fprintf(w, "  %-44s %21s %21s %21s\n", "", "after start-up", "with "+fmt.Sprint(n)+" running", "after removal")
	fmt.Fprintf(w, "  %-44s %10s %10s %10s %10s %10s %10s\n", "", "RSS", "PSS", "RSS", "PSS", "RSS", "PSS")
	for _, r := range rs {
		if r.engine.daemons == nil {
			fmt.Fprintf(w, "  %-44s  (no daemon)\n", r.engine.label)
			continue
		}
		fmt.Fprintf(w, "  %-44s %10s %10s %10s %10s %10s %10s\n", r.engine.label+": "+r.engine.daemon,
			mib(r.engine.startup.RSS, 1), mib(r.engine.startup.PSS, 1), mib(r.running.RSS, 1), mib(r.running.PSS, 1),
			mib(r.after.RSS, 1), mib(r.after.PSS, 1))
	}
	for _, r := range rs[1:] {
		if r.engine.daemons == nil {
			continue
		}
		fmt.Fprintf(w, "  ours vs %s: idle RSS after start-up %s×, PSS %s×; after the removals RSS %s×, PSS %s×\n", r.engine.label,
			kbRatio(rs[0].engine.startup.RSS, r.engine.startup.RSS), kbRatio(rs[0].engine.startup.PSS, r.engine.startup.PSS),
			kbRatio(rs[0].after.RSS, r.after.RSS), kbRatio(rs[0].after.PSS, r.after.PSS))
	}
	for _, s := range skipped {
		fmt.Fprintf(w, "  skipped %s: %s\n", s.name, s.why)
	}
}

// mib is kb/n KiB in MiB.
func mib(kb int64, n int) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f MiB", float64(kb)/float64(n)/1024)
}

// kbRatio is a/b with at least two significant digits.
func kbRatio(a, b int64) string {
	if b == 0 {
		return "-"
	}
	r := float64(a) / float64(b)
	if r < 0.1 {
		return fmt.Sprintf("%.2g", r)
	}
	return fmt.Sprintf("%.2f", r)
}
