// Command daemoncompare times our engine end to end through its daemon
// and compares it side by side with `docker run` (on a private dockerd),
// `podman run` and the isolation core alone (container-runtime-oci and
// runc running a bundle), all on the same base image:
//
//  1. `run --rm base /bin/true`: ours through the CLI binary (what a user
//     types) and through the client package (the daemon path alone), with
//     --network none (as every peer) and --network host; and the docker
//     CLI pointed at our socket (the Docker Engine API, issue 12: Debian's
//     client, and the newest at /usr/local/bin/docker when installed),
//     with its ratios to our CLI and to docker on its dockerd, and the
//     clients' start-up alone (--version) to tell the client's share;
//  2. 100 such containers one after the other: total time;
//  3. memory: PSS and RSS of the engine's process per running container
//     (our monitor, docker's containerd shim, podman's conmon) over 20
//     sleeping containers, and of the idle daemons (ours;
//     dockerd+containerd) after start-up and after those containers were
//     removed;
//  4. what a bridge network adds: ours with --network bridge next to
//     --network none (docker's and podman's bridges are left out: they
//     would change the host's firewall);
//  5. Docker users' verbs (issue 11): ps with 100 running containers,
//     stats --no-stream of 20, stop of 20 whose PID 1 ignores SIGTERM, and
//     the daemon CPU time a health check costs beyond its own process.
//  6. crun (issue 13): `crun run` of /bin/true on the base bundle in the
//     tables of parts 1 and 2, next to ours with --network none and
//     --network bridge, with the targets; crun 1.8 refuses this
//     host's hybrid cgroups, so it alone runs in a private mount namespace
//     without /sys/fs/cgroup/unified (as bench/ocicompare; crun_linux.go);
//  7. concurrency: -conc clients (our CLI) started at once, each
//     `run --rm --network none base /bin/true`: whether all succeeded, the
//     total wall time, and its ratio to the time per container of a
//     sequential batch of as many, timed just before;
//  8. exec of /bin/true into a running `sleep`: ours through the CLI next
//     to `crun exec` (private mount namespace) and `runc exec` into a
//     container that they run from the same bundle;
//  9. start phases: -n containers `run -d --network none base /bin/true`,
//     the phases of each start from inspect (StartPhases), per phase name
//     in first-seen order the median and 90th percentile, and the median
//     of their sum next to the median wall time of `run --rm` (part 1);
//  10. where a `run --rm --network none base /bin/true` spends its time
//     (part path): -n rounds of our CLI's run --rm, the same requests
//     made with the client package, each timed (create; the attach that
//     starts the container, until its answer; the exit frame, which an
//     --rm container's session sends once it is removed), and the CLI's
//     --version; the attach next to the start phases' sum (part 9).
//
// Contenders take turns run by run, the first rotating each round, after
// untimed warm-up runs. CPU time is everything outside the container's own
// cgroup (ours puts containers in /container-runtime/<id>, which cannot be
// moved; the peers' containers get a cgroup parent outside their
// accounting groups to match): the client process, and the engine's
// accounting cgroup (our daemon with its monitors; dockerd, containerd,
// shims; podman and conmon; the OCI runtime), which includes the runtime
// until the container's init joins the container's cgroup.
//
// The base image is made by our daemon (`container-runtime image
// bootstrap`, its debootstrap cache pointed at the shared one so that it
// takes seconds), exported, and imported into docker and podman with the
// same PATH and CMD, and extracted into the bundle. Our daemon has its own
// root, exec root, socket, bridge, subnet and nftables table. Everything
// lives in one temporary directory removed at the end; the daemons are
// stopped by PID, containers, bridges, tables, cgroups and mounts removed.
// A run killed before it could clean up is cleaned up by the next one.
//
//	sudo go run ./bench/daemoncompare -n 30
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 30, "timed runs per contender (parts run and net)")
	flag.IntVar(&cfg.warmup, "warmup", 3, "untimed runs per contender first")
	flag.IntVar(&cfg.seq, "seq", 100, "containers one after the other (part seq)")
	flag.IntVar(&cfg.seqRounds, "seq-rounds", 1, "timed batches per contender (part seq)")
	flag.IntVar(&cfg.conc, "conc", 50, "clients started at once (part conc)")
	flag.IntVar(&cfg.mem, "mem", 20, "sleeping containers per engine (part mem)")
	flag.StringVar(&cfg.bin, "bin", "bin", "directory holding our binaries (make build)")
	flag.StringVar(&cfg.cacheDir, "cache-dir", "/var/cache/container-runtime-test/debootstrap", "debootstrap cache shared with the tests")
	flag.IntVar(&cfg.ps, "ps", 100, "running containers listed by ps (part verbs)")
	flag.IntVar(&cfg.stats, "stats", 20, "containers of stats --no-stream (part verbs)")
	flag.IntVar(&cfg.stop, "stop", 20, "containers stopped at once (part verbs)")
	flag.IntVar(&cfg.health, "health", 10, "health-checked containers (part verbs)")
	flag.BoolVar(&cfg.docker, "docker", true, "compare with docker on a private dockerd when installed")
	flag.BoolVar(&cfg.podman, "podman", true, "compare with podman when installed")
	parts := flag.String("parts", strings.Join(allParts, ","), "parts to run, comma-separated: "+strings.Join(allParts, ", "))
	clean := flag.Bool("clean", false, "only clean up after earlier runs that were killed, then exit")
	crunHelper := flag.Bool("crun-helper", false, "internal: serve crun commands in a private mount namespace (crun_linux.go)")
	flag.Parse()
	if *crunHelper {
		if err := crunHelperMain(flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "daemoncompare -crun-helper:", err)
			os.Exit(1)
		}
		return
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "daemoncompare: needs root (sudo)")
		os.Exit(2)
	}
	if *clean {
		cleanEarlierRuns()
		return
	}
	cfg.parts = strings.Split(*parts, ",")
	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "daemoncompare:", err)
		os.Exit(2)
	}
	// SIGPIPE too: with stdout gone (| head), stop and clean up rather
	// than die with the daemons left running.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("interrupted (%w); cleaned up", err)
		}
		fmt.Fprintln(os.Stderr, "daemoncompare:", err)
		stop()
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	n, warmup, seq, seqRounds, mem int
	conc                           int
	ps, stats, stop, health        int
	bin, cacheDir                  string
	docker, podman                 bool
	parts                          []string
}

// check validates the counts and the parts.
func (c config) check() error {
	if c.n < 1 || c.warmup < 0 || c.seq < 1 || c.seqRounds < 1 || c.mem < 1 || c.conc < 1 ||
		c.ps < 1 || c.stats < 1 || c.stats > c.ps || c.stop < 1 || c.health < 1 {
		return fmt.Errorf("-n, -seq, -seq-rounds, -mem, -conc, -ps, -stop, -health and -stats (at most -ps) must be at least 1, -warmup at least 0")
	}
	for _, p := range c.parts {
		if !slices.Contains(allParts, p) {
			return fmt.Errorf("-parts: unknown part %q (want %s)", p, strings.Join(allParts, ", "))
		}
	}
	return nil
}

// allParts are the parts, in the order they run.
var allParts = []string{"run", "seq", "conc", "exec", "phases", "path", "mem", "net", "verbs"}

// part reports whether the part name is to run.
func (c config) part(name string) bool { return slices.Contains(c.parts, name) }
