// Command clicompare measures what every command line of the client pays
// before it does anything: the packages it links and its size, the time
// the Go runtime spends initialising those packages (GODEBUG=inittrace=1,
// summed per run, and the time to main), and the wall and CPU time of `--version` next to the
// Docker and Podman clients' (when installed). A command that reaches the
// daemon adds the daemon's work to this; bench/daemoncompare times
// `run --rm` through the CLI.
//
// The contenders take turns run by run, the one going first rotating each
// round, so that load from elsewhere on the machine hits them alike.
//
//	go run ./bench/clicompare -n 200 -warmup 5 [-also /tmp/container-runtime-main]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// oursName is how our client appears in the tables.
const oursName = "container-runtime"

// clientPkg is the client's package, whose imports are counted.
const clientPkg = "github.com/container-runtime/container-runtime/cmd/container-runtime"

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 200, "timed runs per client")
	flag.IntVar(&cfg.warmup, "warmup", 5, "untimed runs per client before timing")
	flag.StringVar(&cfg.ours, "ours", "bin/container-runtime", "our client binary (make build)")
	flag.IntVar(&cfg.top, "top", 8, "packages listed by their init time")
	flag.Func("also", "another build of our client to time next to it (e.g. main's, to compare a change; repeatable)", func(p string) error {
		cfg.also = append(cfg.also, p)
		return nil
	})
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "clicompare:", err)
		stop()
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	n, warmup, top int
	ours           string
	also           []string
}

// run prints the client's size, packages and init time, then the
// --version table.
func run(ctx context.Context, cfg config) error {
	if cfg.n < 1 || cfg.warmup < 0 {
		return fmt.Errorf("-n must be at least 1 and -warmup at least 0")
	}
	ours, err := filepath.Abs(cfg.ours)
	if err != nil {
		return err
	}
	st, err := os.Stat(ours)
	if err != nil {
		return fmt.Errorf("our client: %w (run `make build` first)", err)
	}
	fmt.Printf("== The client's start (%s); load average %s\n", ours, loadavg())
	fmt.Printf("  binary size                      %.1f MiB (%d bytes)\n", float64(st.Size())/(1<<20), st.Size())
	if all, nonStd, err := countPackages(ctx, clientPkg); err != nil {
		fmt.Printf("  packages linked (this checkout)  unknown: %v\n", err)
	} else {
		fmt.Printf("  packages linked (this checkout)  %d (%d outside the standard library)\n", all, nonStd)
	}
	if err := printInit(ctx, ours, cfg); err != nil {
		return err
	}
	fmt.Println()
	return timeVersion(ctx, ours, cfg)
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	var a, b5, c string
	fmt.Sscan(string(b), &a, &b5, &c)
	return a + " " + b5 + " " + c
}
