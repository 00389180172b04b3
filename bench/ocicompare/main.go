// Command ocicompare times `run` of /bin/true on one busybox bundle with
// container-runtime-oci and, when installed, runc and crun, and prints per
// runtime the median and 90th percentile of wall time and of CPU time
// (user+sys of the runtime's process tree, from wait4) and the ratio of
// ours to each.
//
// Every runtime first runs a few untimed warm-up containers; then the
// runtimes take turns run by run, the one going first rotating each round,
// so that load from elsewhere on the machine hits them alike. A floor row
// times `unshare` + `chroot` of the same /bin/true: namespaces and nothing
// else.
//
// crun 1.8 refuses this host's hybrid cgroup layout, so the main
// comparison runs in a private mount namespace where /sys/fs/cgroup/unified
// is unmounted (for every runtime alike). Ours and runc are also timed on
// the host's real layout first.
//
//	sudo go run ./bench/ocicompare -n 200 -warmup 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// oursName is how our runtime appears in the tables.
const oursName = "container-runtime-oci"

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 200, "timed runs per runtime")
	flag.IntVar(&cfg.warmup, "warmup", 5, "untimed runs per runtime before timing")
	flag.StringVar(&cfg.ours, "ours", "bin/container-runtime-oci", "our binary")
	flag.BoolVar(&cfg.host, "host", true, "also time ours and runc on the host's real cgroup layout")
	flag.BoolVar(&cfg.floor, "floor", true, "also time the unshare+chroot floor")
	inner := flag.Bool("inner", false, "internal: already in the private mount namespace; the bundle is the argument")
	flag.Parse()
	// SIGPIPE too: with stdout gone (| head), stop between runs and clean
	// up rather than die.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	if err := run(ctx, cfg, *inner); err != nil {
		fmt.Fprintln(os.Stderr, "ocicompare:", err)
		stop()
		os.Exit(1)
	}
}

// run checks the configuration and runs the passes: on the host's layout
// and, through a re-run of this program, in the private mount namespace;
// or, when inner, only the latter.
func run(ctx context.Context, cfg config, inner bool) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (sudo)")
	}
	if cfg.n < 1 || cfg.warmup < 0 {
		return fmt.Errorf("-n must be at least 1 and -warmup at least 0")
	}
	abs, err := filepath.Abs(cfg.ours)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("our binary: %w (run `make build` first)", err)
	}
	cfg.ours = abs
	if inner {
		if flag.NArg() != 1 {
			return fmt.Errorf("-inner needs the bundle as its argument")
		}
		cfg.bundle = flag.Arg(0)
		return privatePass(ctx, cfg)
	}
	bundle, err := makeBundle()
	if err != nil {
		return fmt.Errorf("making the busybox bundle: %w", err)
	}
	defer os.RemoveAll(bundle)
	cfg.bundle = bundle
	if cfg.host {
		if err := hostPass(ctx, cfg); err != nil {
			return err
		}
		fmt.Println()
	}
	// Re-run ourselves in a private mount namespace without the cgroup2
	// mount, where crun works; the namespace (and the unmount) ends with
	// the process.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "sh", "-c",
		`umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"`,
		self, "-inner", "-n", fmt.Sprint(cfg.n), "-warmup", fmt.Sprint(cfg.warmup),
		"-ours", cfg.ours, "-floor="+fmt.Sprint(cfg.floor), bundle)
	// On cancellation the inner pass gets SIGTERM and cleans up itself.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the pass in a private mount namespace: %w", err)
	}
	return nil
}

// config is what both passes share.
type config struct {
	n, warmup   int
	ours        string
	bundle      string
	host, floor bool
}

// hostPass times ours and runc on the host's cgroup layout.
func hostPass(ctx context.Context, cfg config) error {
	rs := []runner{runtimeRunner(oursName, cfg.ours, cfg.bundle)}
	var skipped [][2]string
	if p, err := exec.LookPath("runc"); err == nil {
		rs = append(rs, runtimeRunner("runc", p, cfg.bundle))
	} else {
		skipped = append(skipped, [2]string{"runc", "not installed"})
	}
	title := fmt.Sprintf("== Runtime, host cgroup layout (%s): run /bin/true, %d runs each after %d warm-up, alternating",
		cgroupLayout(), cfg.n, cfg.warmup)
	return runPass(ctx, title, cfg, rs, skipped)
}

// privatePass times every runtime, crun included, in the private mount
// namespace.
func privatePass(ctx context.Context, cfg config) error {
	rs := []runner{runtimeRunner(oursName, cfg.ours, cfg.bundle)}
	var skipped [][2]string
	for _, peer := range []string{"runc", "crun"} {
		if p, err := exec.LookPath(peer); err == nil {
			rs = append(rs, runtimeRunner(peer, p, cfg.bundle))
		} else {
			skipped = append(skipped, [2]string{peer, "not installed"})
		}
	}
	if cfg.floor {
		if r, err := floorRunner(filepath.Join(cfg.bundle, "rootfs")); err == nil {
			rs = append(rs, r)
		} else {
			skipped = append(skipped, [2]string{"floor", err.Error()})
		}
	}
	title := fmt.Sprintf("== Runtime, private mount namespace without /sys/fs/cgroup/unified (%s): run /bin/true, %d runs each after %d warm-up, alternating",
		cgroupLayout(), cfg.n, cfg.warmup)
	return runPass(ctx, title, cfg, rs, skipped)
}

// runPass warms up, times and prints one table.
func runPass(ctx context.Context, title string, cfg config, rs []runner, skipped [][2]string) error {
	state, err := os.MkdirTemp("", "ocicompare-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(state)
	before := loadavg()
	series, failed, err := compare(ctx, rs, state, cfg.n, cfg.warmup)
	// A run cut short (by a signal) may leave a container behind.
	left := cleanLeftovers(rs, state)
	if err != nil {
		return err
	}
	measure.Print(os.Stdout, title, oursName, series)
	for _, s := range append(skipped, failed...) {
		measure.Skipped(os.Stdout, s[0], s[1])
	}
	if len(left) > 0 {
		fmt.Printf("  warning: container state left behind (deleted now): %s\n", strings.Join(left, ", "))
	}
	fmt.Printf("  load average before: %s; after: %s\n", before, loadavg())
	return nil
}
