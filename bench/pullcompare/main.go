// Command pullcompare times pulling and pushing a ~100 MiB four-layer
// image from and to a registry on 127.0.0.1, with our distribution service
// (in-process, as the daemon runs it) and, when installed, `skopeo copy`
// to and from a local directory, and prints per contender the median and
// 90th percentile of wall time and of CPU time and the ratio of ours to
// each.
//
// The registry (go-containerregistry's, blobs in memory) runs in a child
// process, a re-exec of this program, so that its work counts for nobody.
// Pulls start from nothing every time: ours into a fresh store, skopeo into
// a fresh directory. Pushes go to a fresh registry every time (a registry
// keeps blobs across repositories): ours renders and compresses the layers
// from the store; skopeo uploads the compressed blobs of a directory, so
// its push row is an upload floor rather than a like-for-like comparison.
// Contenders take turns run by run after untimed warm-up runs.
//
//	sudo go run ./bench/pullcompare -n 5 -warmup 1
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 5, "timed runs per contender")
	flag.IntVar(&cfg.warmup, "warmup", 1, "untimed runs per contender before timing")
	flag.IntVar(&cfg.layers, "layers", 4, "layers of the image")
	flag.IntVar(&cfg.layerMiB, "layer-mib", 25, "uncompressed MiB per layer (half random, half text)")
	serve := flag.Bool("serve-registry", false, "internal: serve a registry on 127.0.0.1, print its address, stop when stdin closes")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	var err error
	if *serve {
		err = serveRegistry()
	} else {
		err = run(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pullcompare:", err)
		stop()
		os.Exit(1)
	}
}

// config is what the passes share.
type config struct {
	n, warmup        int
	layers, layerMiB int
}

func run(ctx context.Context, cfg config) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root (sudo): layers are applied with their owners")
	}
	if cfg.n < 1 || cfg.warmup < 0 || cfg.layers < 1 || cfg.layerMiB < 1 {
		return fmt.Errorf("-n, -layers and -layer-mib must be at least 1, -warmup at least 0")
	}
	work, err := os.MkdirTemp("", "pullcompare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	src, err := startRegistry(ctx)
	if err != nil {
		return err
	}
	defer src.stop()
	ref := src.host + "/bench/image:1"
	size, compressed, err := pushBenchImage(ref, cfg.layers, cfg.layerMiB)
	if err != nil {
		return fmt.Errorf("pushing the benchmark image: %w", err)
	}
	fmt.Printf("== Image: %d layers, %.1f MiB uncompressed, %.1f MiB compressed, on a registry on %s\n",
		cfg.layers, float64(size)/(1<<20), float64(compressed)/(1<<20), src.host)
	if err := pullPass(ctx, cfg, work, ref); err != nil {
		return err
	}
	fmt.Println()
	return pushPass(ctx, cfg, work, ref)
}
