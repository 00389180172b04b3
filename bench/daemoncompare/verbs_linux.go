package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// verbEngine is what the verbs part (issue 11's speed targets) needs of an
// engine: its CLI, how it starts a named container in the background, and
// the groups its CPU time is counted in.
type verbEngine struct {
	label string
	// argv is the engine's command line for the CLI arguments args.
	argv func(args ...string) []string
	env  []string
	// runFlags go between `run -d` and the image: the network, and the
	// peers' cgroup parent.
	runFlags []string
	groups   []group
}

func (e *verbEngine) cli(ctx context.Context, args ...string) (string, error) {
	argv := e.argv(args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), e.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", e.label, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// startNamed starts containers prefix-0 … prefix-(n-1) running cmd in the
// background with extra run flags.
func (e *verbEngine) startNamed(ctx context.Context, prefix string, n int, extra []string, cmd ...string) ([]string, error) {
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-%d", prefix, i)
		args := append([]string{"run", "-d", "--name", names[i]}, e.runFlags...)
		args = append(append(args, extra...), "base")
		if _, err := e.cli(ctx, append(args, cmd...)...); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// verbEngines are ours, docker and podman (those set up).
func (s *setup) verbEngines() []*verbEngine {
	es := []*verbEngine{{
		label: "ours", argv: func(a ...string) []string { return append([]string{s.ours.bin.cli}, a...) },
		env: s.ours.env(), runFlags: []string{"--network", "none"}, groups: []group{s.ours.group},
	}}
	if d := s.docker; d != nil {
		es = append(es, &verbEngine{
			label: "docker", argv: func(a ...string) []string { return append([]string{d.Client}, d.Args(a...)...) },
			runFlags: []string{"--network", "none", "--cgroup-parent", d.parent}, groups: []group{d.group},
		})
	}
	if p := s.podman; p != nil {
		es = append(es, &verbEngine{
			label: "podman", argv: func(a ...string) []string { return append(append([]string{p.path}, p.global...), a...) },
			runFlags: append([]string{"--network", "none", "--cgroup-parent", p.parent}, p.ulimits...),
			groups:   []group{p.group, p.conmon},
		})
	}
	return es
}

// partVerbs is part 5 (issue 11): ps with 100 running containers, stats
// --no-stream of 20, stop of 20 whose PID 1 ignores SIGTERM, and the daemon
// CPU a health check costs. Each engine runs alone, one after the other,
// and removes its containers before the next.
func (s *setup) partVerbs(ctx context.Context) error {
	fmt.Printf("== Docker users' verbs (issue 11), one engine at a time; load average %s\n", loadavg())
	var ps, stats []*measure.Series
	type stopRow struct {
		label string
		wall  time.Duration
		err   error
	}
	var stops []stopRow
	for _, e := range s.verbEngines() {
		p, st, err := s.listVerbs(ctx, e)
		if err != nil {
			if e.label == "ours" || ctx.Err() != nil {
				return err
			}
			fmt.Printf("  skipped %s (ps, stats): %s\n", e.label, oneLine(err))
		} else {
			ps, stats = append(ps, p...), append(stats, st)
		}
		wall, err := stopMany(ctx, e, s.cfg.stop)
		if err != nil && (e.label == "ours" || ctx.Err() != nil) {
			return err
		}
		stops = append(stops, stopRow{e.label, wall, err})
	}
	printTable(os.Stdout, fmt.Sprintf("-- ps with %d running containers (the CLI, to its exit), %d runs each", s.cfg.ps, s.cfg.n), ps, nil)
	if len(ps) > 1 {
		// ps[1] is ours through the client package (listVerbs).
		fmt.Printf("  ours, the daemon's answer to the list (client package, no CLI start-up): %s median\n", msString(ps[1].Summarize().WallMedian))
	}
	printTable(os.Stdout, fmt.Sprintf("-- stats --no-stream of %d containers, %d runs each", s.cfg.stats, s.cfg.n), stats, nil)
	fmt.Printf("-- stop -t %d of %d containers whose PID 1 ignores SIGTERM (target: ≤ %d s + 1 s)\n", stopTimeout, s.cfg.stop, stopTimeout)
	for _, r := range stops {
		if r.err != nil {
			fmt.Printf("  %-10s failed: %s\n", r.label, oneLine(r.err))
			continue
		}
		fmt.Printf("  %-10s %8.2f s\n", r.label, r.wall.Seconds())
	}
	return s.healthCost(ctx)
}

// listVerbs starts cfg.ps sleeping containers with e, times `ps` (and for
// ours the list through the client package) and `stats --no-stream` of
// cfg.stats of them, and removes them.
func (s *setup) listVerbs(ctx context.Context, e *verbEngine) ([]*measure.Series, *measure.Series, error) {
	defer removeAllOf(ctx, e)
	names, err := e.startNamed(ctx, "vps", s.cfg.ps, nil, "sleep", "1000")
	if err != nil {
		return nil, nil, err
	}
	cmdSeries := func(label string, args ...string) *cmdRunner {
		return &cmdRunner{label: label, argv: e.argv(args...), env: e.env, groups: e.groups, out: s.out}
	}
	ps := []runner{cmdSeries(e.label+" ps", "ps")}
	if e.label == "ours" {
		ps = append(ps, &funcRunner{label: "ours: client package list", groups: e.groups, fn: func(ctx context.Context) error {
			l, err := s.ours.client.ContainerListWith(ctx, api.ContainerListOptions{})
			if err == nil && len(l) != s.cfg.ps {
				err = fmt.Errorf("listed %d containers, want %d", len(l), s.cfg.ps)
			}
			return err
		}})
	}
	psSeries, err := alternate(ctx, ps, s.cfg.n)
	if err != nil {
		return nil, nil, err
	}
	st := cmdSeries(e.label+" stats --no-stream", append([]string{"stats", "--no-stream"}, names[:s.cfg.stats]...)...)
	statsSeries, err := alternate(ctx, []runner{st}, s.cfg.n)
	if err != nil {
		return nil, nil, err
	}
	return psSeries, statsSeries[0], nil
}

// stopTimeout is the stop timeout of the stop measurement, in seconds.
const stopTimeout = 2

// stopMany starts n containers whose PID 1 ignores SIGTERM and times one
// `stop -t stopTimeout` of all of them.
func stopMany(ctx context.Context, e *verbEngine, n int) (time.Duration, error) {
	defer removeAllOf(ctx, e)
	names, err := e.startNamed(ctx, "vstop", n, nil, "sh", "-c", "trap '' TERM; while :; do sleep 1; done")
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if _, err := e.cli(ctx, append([]string{"stop", "-t", fmt.Sprint(stopTimeout)}, names...)...); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// removeAllOf force-removes every container of e.
func removeAllOf(ctx context.Context, e *verbEngine) {
	out, err := e.cli(ctx, "ps", "-aq")
	if err != nil {
		fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
		return
	}
	if ids := strings.Fields(out); len(ids) > 0 {
		if _, err := e.cli(ctx, append([]string{"rm", "-f"}, ids...)...); err != nil {
			fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
		}
	}
}

// healthCost measures the daemon CPU time a health check costs beyond the
// check's own process: cfg.health containers with a check every second
// against the same containers without one, over the same window. Each
// check appends a line to a file in its container, which counts them.
func (s *setup) healthCost(ctx context.Context) error {
	const window = 20 * time.Second
	fmt.Printf("-- health checks: daemon CPU per check beyond the check's own process (%d containers, --health-interval 1s, %v; target ≤ 1 ms)\n", s.cfg.health, window)
	for _, e := range s.verbEngines() {
		if e.label == "podman" {
			fmt.Println("  skipped podman: its checks run from systemd timers or conmon, not from a daemon")
			continue
		}
		per, checks, err := healthCostOf(ctx, e, s.cfg.health, window)
		if err != nil {
			if e.label == "ours" || ctx.Err() != nil {
				return err
			}
			fmt.Printf("  skipped %s: %s\n", e.label, oneLine(err))
			continue
		}
		fmt.Printf("  %-10s %6.3f ms per check (%d checks)\n", e.label, ms(per), checks)
	}
	return nil
}

func healthCostOf(ctx context.Context, e *verbEngine, n int, window time.Duration) (time.Duration, int, error) {
	idle := func(prefix string, extra []string) (time.Duration, []string, error) {
		names, err := e.startNamed(ctx, prefix, n, extra, "sleep", "1000")
		if err != nil {
			return 0, nil, err
		}
		time.Sleep(2 * time.Second) // start-up work is not the steady state
		cpu0 := groupsUsage(e.groups)
		select {
		case <-time.After(window):
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		}
		return groupsUsage(e.groups) - cpu0, names, nil
	}
	base, _, err := idle("vidle", nil)
	removeAllOf(ctx, e)
	if err != nil {
		return 0, 0, err
	}
	defer removeAllOf(ctx, e)
	used, names, err := idle("vhealth", []string{"--health-cmd", "echo x >> /tmp/checks", "--health-interval", "1s"})
	if err != nil {
		return 0, 0, err
	}
	checks := 0
	for _, name := range names {
		out, err := e.cli(ctx, "exec", name, "wc", "-l", "/tmp/checks")
		if err != nil {
			return 0, 0, err
		}
		var c int
		fmt.Sscan(out, &c)
		checks += c
	}
	if checks == 0 {
		return 0, 0, fmt.Errorf("no health check ran")
	}
	return (used - base) / time.Duration(checks), checks, nil
}

// msString is d in milliseconds with two decimals.
func msString(d time.Duration) string { return fmt.Sprintf("%.2f ms", ms(d)) }
