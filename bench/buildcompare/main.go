// Command buildcompare times a five-step image build (FROM base, COPY a
// small directory, two RUNs, ENTRYPOINT) cold and fully cached with our
// builder and, when installed, with `docker build` (BuildKit and the
// legacy builder, on a private dockerd) and `buildah bud --layers`, on the
// same Dockerfile and context and an imported copy of the same base image.
// It prints per builder the median and 90th percentile of wall time and of
// CPU time, and the ratio of ours to each.
//
// Cold is a build that reuses nothing (our Options.NoCache, docker and
// buildah --no-cache); cached is the same build again, unchanged, every step
// from the cache. Each round runs every builder's cold build then its cached
// build, the builder going first rotating each round, so that load from
// elsewhere on the machine hits them alike. Output is checked: a cold build
// must reuse no step and a cached build must reuse every one.
//
// Ours runs in this process (builder.Builder with RuntimeRunner, as the daemon
// will), and again as a new process per build (this program re-executed
// with -once on a store of its own), which pays what the peers' command-line
// clients pay: process start, opening the store, no remembered file hashes. CPU time is, for ours, this process's and its
// waited-for children's user+sys; for buildah, its process tree's; for
// docker, the client's plus what the private dockerd's cgroup (dockerd,
// containerd, shims and the build containers) used meanwhile.
//
// The base image is bootstrapped with image.Bootstrap from the shared
// debootstrap cache, exported with Store.Export and imported into the
// peers as "base". Everything lives in one temporary directory removed at
// the end; dockerd and its containerd are stopped by PID, their cgroups
// removed, and the host firewall is left alone (no iptables, no bridge).
//
//	sudo go run ./bench/buildcompare -n 10
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 10, "timed rounds (one cold and one cached build per builder each)")
	flag.IntVar(&cfg.warmup, "warmup", 1, "untimed rounds first")
	flag.StringVar(&cfg.cacheDir, "cache-dir", "/var/cache/container-runtime-test/debootstrap", "debootstrap cache shared with the tests")
	flag.BoolVar(&cfg.verbose, "v", false, "print the output of every timed build to stderr")
	flag.StringVar(&cfg.buildahRuntime, "buildah-runtime", "runc", "OCI runtime of buildah's RUN steps (its default, crun 1.8, refuses this host's hybrid cgroups)")
	once := flag.Bool("once", false, "internal: build once; arguments: store, runtime root, context, cold (true or false)")
	flag.Parse()
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "buildcompare: needs root (sudo)")
		os.Exit(1)
	}
	if cfg.n < 1 || cfg.warmup < 0 {
		fmt.Fprintln(os.Stderr, "buildcompare: -n must be at least 1 and -warmup at least 0")
		os.Exit(1)
	}
	// SIGPIPE too: with stdout gone (| head), stop and clean up rather
	// than die with dockerd left running.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	if *once {
		if err := buildOnce(ctx, os.Stdout, flag.Arg(0), flag.Arg(1), flag.Arg(2), flag.Arg(3) == "true"); err != nil {
			fmt.Fprintln(os.Stderr, "buildcompare -once:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "buildcompare:", err)
		stop()
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	n, warmup      int
	cacheDir       string
	buildahRuntime string
	verbose        bool
}

// run sets every builder up, times them and cleans up.
func run(ctx context.Context, cfg config) (retErr error) {
	cleanEarlierRuns()
	work, err := os.MkdirTemp("", workPattern)
	if err != nil {
		return err
	}
	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		if err := host.RemoveDir(work, "run.json"); err != nil && retErr == nil {
			retErr = err
		}
	}()
	if err := writeRunRecord(work); err != nil {
		return err
	}
	fmt.Printf("== Build: five steps (FROM base, COPY a small directory, two RUNs, ENTRYPOINT), %d rounds after %d warm-up\n", cfg.n, cfg.warmup)
	fmt.Printf("  load average at start: %s\n", loadavg())

	ctxDir, err := writeContext(work)
	if err != nil {
		return fmt.Errorf("writing the build context: %w", err)
	}
	start := time.Now()
	o, err := newOurs(ctx, work, cfg.cacheDir)
	if err != nil {
		return err
	}
	cleanups = append(cleanups, o.close)
	baseTar, err := o.exportBase(ctx, work)
	if err != nil {
		return err
	}
	fmt.Printf("  base: bootstrapped from %s and exported in %v\n", cfg.cacheDir, time.Since(start).Round(time.Millisecond))

	op, err := newOursProcess(ctx, work, cfg.cacheDir)
	if err != nil {
		return err
	}
	contenders := []contender{o, op}
	var skipped [][2]string
	d, why := startPeerDocker(ctx, work, baseTar)
	if d != nil {
		cleanups = append(cleanups, d.close)
		contenders = append(contenders, d.builders()...)
	} else {
		skipped = append(skipped, [2]string{"docker build (BuildKit and legacy)", why})
	}
	b, why := newBuildah(ctx, work, baseTar, cfg.buildahRuntime)
	if b != nil {
		cleanups = append(cleanups, b.close)
		contenders = append(contenders, b)
	} else {
		skipped = append(skipped, [2]string{"buildah bud --layers", why})
	}
	return compare(ctx, cfg, ctxDir, contenders, skipped)
}
