package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// setup is every contender, ready.
type setup struct {
	cfg  config
	ours *ourDaemon
	// docker and podman are nil when skipped (skipped says why).
	docker *peerDocker
	podman *peerPodman
	core   *ociCore
	runc   string // "" when not installed
	// crun is the helper that runs crun in a private mount namespace;
	// nil when crun is not installed.
	crun    *crunHelper
	skipped []skip
	// out receives the runs' output.
	out *os.File
	// mem are the engines for the memory part, ours first, with their
	// start-up footprints.
	mem []*memEngine
	// runRm is the median wall time of our CLI's run --rm in part run
	// (0 until it ran), for parts phases and path; phasesSum the median
	// sum of the start phases in part phases (0 until it ran), for part
	// path.
	runRm, phasesSum time.Duration
}

// run sets every contender up, runs the parts and cleans up.
func run(ctx context.Context, cfg config) (retErr error) {
	bin, err := findBinaries(cfg.bin)
	if err != nil {
		return err
	}
	cleanEarlierRuns()
	work, err := os.MkdirTemp("", workPattern)
	if err != nil {
		return err
	}
	var cleanups []func()
	tree, err := newCgroupTree(cgroupName(os.Getpid()))
	if err != nil {
		os.RemoveAll(work)
		return err
	}
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		if err := tree.remove(); err != nil {
			fmt.Fprintf(os.Stderr, "daemoncompare: %v\n", err)
		}
		if err := host.RemoveDir(work, recordName); err != nil && retErr == nil {
			retErr = err
		}
	}()
	netFlags := takesNetFlags(bin.daemon)
	if err := writeRunRecord(work, netFlags, ourRoot(work)); err != nil {
		return err
	}
	fmt.Printf("== Daemon benchmarks (issues 4 and 5); load average at start: %s\n", loadavg())
	s := &setup{cfg: cfg}
	if s.out, err = os.CreateTemp(work, "output-"); err != nil {
		return err
	}
	defer s.out.Close()

	start := time.Now()
	if s.ours, err = startOurs(ctx, work, bin, tree, cfg.cacheDir, netFlags); err != nil {
		return err
	}
	cleanups = append(cleanups, s.ours.close)
	if !netFlags {
		fmt.Println("  note: container-runtimed has no --bridge-name/--nft-table: its bridge and table are the installed daemon's defaults, left in place")
	}
	oursMem := s.ours.memEngine()
	if oursMem.startup, err = daemonFootprint(ctx, oursMem); err != nil {
		return err
	}
	s.mem = append(s.mem, oursMem)
	base, err := s.ours.bootstrapBase(ctx, work)
	if err != nil {
		return err
	}
	fmt.Printf("  base: container-runtime image bootstrap (cache %s) and export in %v\n", cfg.cacheDir, time.Since(start).Round(time.Millisecond))

	if cleanup := s.addDocker(ctx, work, tree, base); cleanup != nil {
		cleanups = append(cleanups, cleanup)
	}
	if cleanup := s.addPodman(ctx, work, tree, base); cleanup != nil {
		cleanups = append(cleanups, cleanup)
	}
	if s.core, err = newOCICore(work, base, tree); err != nil {
		return err
	}
	cleanups = append(cleanups, s.core.close)
	if p, err := exec.LookPath("runc"); err == nil {
		s.runc = p
	} else {
		s.skipped = append(s.skipped, skip{"runc run", "runc not installed"})
	}
	if p, err := exec.LookPath("crun"); err == nil {
		if s.crun, err = startCrunHelper(p, s.core, tree, filepath.Join(work, "crun-helper.log")); err != nil {
			return err
		}
		cleanups = append(cleanups, s.crun.close)
	} else {
		s.skipped = append(s.skipped, skip{"crun run", "crun not installed"})
	}

	for _, p := range []struct {
		name string
		fn   func(context.Context) error
	}{{"run", s.partRun}, {"seq", s.partSeq}, {"conc", s.partConc}, {"exec", s.partExec}, {"phases", s.partPhases},
		{"path", s.partPath}, {"mem", s.partMem}, {"net", s.partNet}, {"verbs", s.partVerbs}} {
		if !cfg.part(p.name) {
			continue
		}
		fmt.Println()
		if err := p.fn(ctx); err != nil {
			return err
		}
	}
	fmt.Printf("\n  load average at end: %s\n", loadavg())
	return nil
}

// addDocker starts the private dockerd and imports the base; on failure
// docker is skipped with the reason. It returns the cleanup, if any.
func (s *setup) addDocker(ctx context.Context, work string, tree *cgroupTree, base string) func() {
	if !s.cfg.docker {
		s.skipped = append(s.skipped, skip{"docker", "-docker=false"})
		return nil
	}
	d, why := startPeerDocker(ctx, work, tree)
	if d == nil {
		s.skipped = append(s.skipped, skip{"docker", why})
		return nil
	}
	e := d.memEngine()
	var err error
	if e.startup, err = daemonFootprint(ctx, e); err == nil {
		err = d.importBase(ctx, base)
	}
	if err != nil {
		s.skipped = append(s.skipped, skip{"docker", oneLine(err)})
		return d.close
	}
	s.docker = d
	s.mem = append(s.mem, e)
	return d.close
}

// addPodman sets podman up and imports the base; on failure podman is
// skipped with the reason. It returns the cleanup, if any.
func (s *setup) addPodman(ctx context.Context, work string, tree *cgroupTree, base string) func() {
	if !s.cfg.podman {
		s.skipped = append(s.skipped, skip{"podman", "-podman=false"})
		return nil
	}
	p, why := newPodman(work, tree)
	if p == nil {
		s.skipped = append(s.skipped, skip{"podman", why})
		return nil
	}
	if err := p.importBase(ctx, base); err != nil {
		s.skipped = append(s.skipped, skip{"podman", oneLine(err)})
		return p.close
	}
	s.podman = p
	s.mem = append(s.mem, p.memEngine())
	return p.close
}

// runners are the `run --rm base /bin/true` contenders, ours (CLI, none)
// first; withVariants adds ours through the client package, with
// --network host and with --network bridge.
func (s *setup) runners(withVariants bool) []runner {
	rs := []runner{s.ours.cliRunner(oursLabel, "none", s.out)}
	if withVariants {
		rs = append(rs, s.ours.clientRunner("ours: client package", "none"),
			s.ours.cliRunner("ours: run --rm --network host", "host", s.out),
			s.ours.cliRunner(bridgeLabel, "bridge", s.out))
		docker, _ := s.ours.dockerOnOursRunners(s.out)
		rs = append(rs, docker...)
	}
	if s.docker != nil {
		rs = append(rs, s.docker.runner(s.out))
	}
	if s.podman != nil {
		rs = append(rs, s.podman.runner(s.out))
	}
	rs = append(rs, s.core.runner("core: container-runtime-oci run", s.ours.bin.oci, s.out))
	if s.runc != "" {
		rs = append(rs, s.core.runner("core: runc run", s.runc, s.out))
	}
	if s.crun != nil {
		rs = append(rs, &crunRunner{label: crunLabel, op: "run", h: s.crun})
	}
	return rs
}

// Labels that the targets find in the tables.
const (
	oursLabel   = "ours: container-runtime run --rm"
	bridgeLabel = "ours: run --rm --network bridge"
	crunLabel   = "core: crun run (own mount ns)"
)

// cpuNote says what the CPU columns count.
const cpuNote = "  CPU: user+sys outside the container's own cgroup: the client, and the engine's cgroup (daemon and monitors; dockerd, containerd and shims; podman and conmon; the runtime until the container's init joins its cgroup)"

// partRun is part 1: `run --rm base /bin/true`, alternating.
func (s *setup) partRun(ctx context.Context) error {
	before := loadavg()
	rs, skipped, err := warmUp(ctx, s.runners(true), s.cfg.warmup)
	if err != nil {
		return err
	}
	series, err := alternate(ctx, rs, s.cfg.n)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("== run --rm base /bin/true end to end (--network none unless said), %d runs each after %d warm-up, alternating", s.cfg.n, s.cfg.warmup)
	_, dockerSkipped := s.ours.dockerOnOursRunners(s.out)
	skipped = append(skipped, dockerSkipped...)
	printTable(os.Stdout, title, series, append(slices.Clone(s.skipped), skipped...))
	printDockerAPIRatios(series)
	printTargets(series, target{oursLabel, crunLabel, 1.0}, target{bridgeLabel, crunLabel, 1.1})
	s.runRm = series[0].Summarize().WallMedian
	fmt.Println(cpuNote)
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return s.clientStartup(ctx)
}

// partSeq is part 2: batches of sequential containers.
func (s *setup) partSeq(ctx context.Context) error {
	before := loadavg()
	rs, skipped, err := warmUp(ctx, s.runners(false), 1)
	if err != nil {
		return err
	}
	series, err := batches(ctx, rs, s.cfg.seq, s.cfg.seqRounds)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("== %d sequential containers (run --rm base /bin/true, --network none): total per batch, %d batch(es) each, alternating", s.cfg.seq, s.cfg.seqRounds)
	printTable(os.Stdout, title, series, append(slices.Clone(s.skipped), skipped...))
	for _, se := range series {
		sum := se.Summarize()
		fmt.Printf("  %s: %.2f s for %d, %.1f ms per container\n", se.Name, sum.WallMedian.Seconds(),
			s.cfg.seq, float64(sum.WallMedian.Microseconds())/1000/float64(s.cfg.seq))
	}
	printTargets(series, target{oursLabel, crunLabel, 1.2})
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}

// partMem is part 3: memory per running container and of the daemons.
func (s *setup) partMem(ctx context.Context) error {
	fmt.Printf("== Memory: %d containers running sleep per engine (--network none), Rss and Pss from /proc/PID/smaps_rollup; load average %s\n", s.cfg.mem, loadavg())
	var results []memResult
	var skipped []skip
	for i, e := range s.mem {
		r, err := measureMemory(ctx, e, s.cfg.mem)
		if err != nil {
			if i == 0 || ctx.Err() != nil {
				return err
			}
			skipped = append(skipped, skip{e.label, oneLine(err)})
			// Leave nothing running for the next engine.
			e.removeAll(ctx)
			continue
		}
		results = append(results, r)
	}
	for _, sk := range s.skipped {
		if sk.name == "docker" || sk.name == "podman" {
			skipped = append(skipped, sk)
		}
	}
	printMemory(os.Stdout, s.cfg.mem, results, skipped)
	return nil
}

// partNet is part 4: what the bridge adds, ours; the peers' bridges are
// left out.
func (s *setup) partNet(ctx context.Context) error {
	before := loadavg()
	title := fmt.Sprintf("== Bridge network: run --rm --network bridge base /bin/true next to --network none, %d runs each after %d warm-up, alternating", s.cfg.n, s.cfg.warmup)
	peersLine := func() {
		measureSkipped(skip{"docker run --network bridge", "its bridge needs iptables rules on the host's firewall (the private dockerd runs with --iptables=false --bridge=none)"})
		measureSkipped(skip{"podman run --network bridge", "netavark would add iptables rules to the host's firewall"})
	}
	none := s.ours.cliRunner("ours: run --rm --network none", "none", s.out)
	bridge := s.ours.cliRunner("ours: run --rm --network bridge", "bridge", s.out)
	if _, err := bridge.run(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Println(title)
		measureSkipped(skip{"ours --network bridge", "the daemon has no bridge networking: " + oneLine(err)})
		peersLine()
		return nil
	}
	rs, _, err := warmUp(ctx, []runner{none, bridge}, s.cfg.warmup)
	if err != nil {
		return err
	}
	if len(rs) < 2 {
		return fmt.Errorf("--network bridge failed during warm-up")
	}
	series, err := alternate(ctx, rs, s.cfg.n)
	if err != nil {
		return err
	}
	printTable(os.Stdout, title, series, nil)
	wall, cpu := medianDiff(series[0], series[1])
	fmt.Printf("  the bridge adds %.2f ms to the median wall time (%s× none) and %.2f ms to the median CPU time (%s× none)\n",
		ms(wall), ratioOf(series[1].Summarize().WallMedian, series[0].Summarize().WallMedian),
		ms(cpu), ratioOf(series[1].Summarize().CPUMedian, series[0].Summarize().CPUMedian))
	peersLine()
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}

// printTargets prints the verdict of each target whose two rows are in
// series (a row skipped or left out: no line).
func printTargets(series []*measure.Series, ts ...target) {
	median := func(name string) (time.Duration, bool) {
		for _, se := range series {
			if se.Name == name {
				return se.Summarize().WallMedian, true
			}
		}
		return 0, false
	}
	for _, t := range ts {
		ours, ok1 := median(t.ours)
		peer, ok2 := median(t.peer)
		if ok1 && ok2 {
			fmt.Println("  target (issue 13, median wall): " + t.verdict(ours, peer))
		}
	}
}

func measureSkipped(s skip) { measure.Skipped(os.Stdout, s.name, s.why) }

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ratioOf is a/b with at least two significant digits.
func ratioOf(a, b time.Duration) string { return kbRatio(int64(a), int64(b)) }
