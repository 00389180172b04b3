package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// initLine is one line of GODEBUG=inittrace=1's report:
//
//	init net/netip @0.52 ms, 0.011 ms clock, 752 bytes, 6 allocs
type initLine struct {
	pkg    string
	at     time.Duration // since the Go runtime's main started (before any init)
	clock  time.Duration
	bytes  int64
	allocs int64
}

// parseInitTrace reads the init lines of a run's stderr; other lines (the
// program's own output) are skipped.
func parseInitTrace(stderr []byte) ([]initLine, error) {
	var lines []initLine
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// init PKG @T ms, C ms clock, B bytes, A allocs
		if len(f) != 11 || f[0] != "init" || !strings.HasPrefix(f[2], "@") || f[6] != "clock," || f[8] != "bytes," || f[10] != "allocs" {
			continue
		}
		at, err := strconv.ParseFloat(f[2][1:], 64)
		if err != nil {
			return nil, fmt.Errorf("the start of %q: %w", sc.Text(), err)
		}
		clock, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return nil, fmt.Errorf("the clock of %q: %w", sc.Text(), err)
		}
		b, err := strconv.ParseInt(f[7], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("the bytes of %q: %w", sc.Text(), err)
		}
		a, err := strconv.ParseInt(f[9], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("the allocs of %q: %w", sc.Text(), err)
		}
		lines = append(lines, initLine{pkg: f[1], at: ms(at), clock: ms(clock), bytes: b, allocs: a})
	}
	return lines, sc.Err()
}

// ms converts inittrace's milliseconds.
func ms(v float64) time.Duration {
	return time.Duration(v * float64(time.Millisecond))
}

// printInit runs `ours --version` with GODEBUG=inittrace=1 cfg.n times
// and prints the median time to main (the end of package main's init,
// since the Go runtime's main started: the dynamic loader, for a binary
// that has one, comes before and is not counted), the median sum of the packages' init clock
// and allocation, and the packages with the largest median init clock.
func printInit(ctx context.Context, ours string, cfg config) error {
	var totals, toMain []time.Duration
	var bytesTotal []int64
	perPkg := map[string][]time.Duration{}
	count := 0
	for i := range cfg.warmup + cfg.n {
		cmd := exec.CommandContext(ctx, ours, "--version")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s --version with inittrace: %w\n%s", ours, err, stderr.Bytes())
		}
		if i < cfg.warmup {
			continue
		}
		lines, err := parseInitTrace(stderr.Bytes())
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return fmt.Errorf("%s --version printed no inittrace lines", ours)
		}
		var total time.Duration
		var allocated int64
		for _, l := range lines {
			total += l.clock
			allocated += l.bytes
			perPkg[l.pkg] = append(perPkg[l.pkg], l.clock)
			if l.pkg == "main" {
				toMain = append(toMain, l.at+l.clock)
			}
		}
		totals, bytesTotal, count = append(totals, total), append(bytesTotal, allocated), len(lines)
	}
	slices.Sort(bytesTotal)
	fmt.Printf("  time to main (inittrace, %d runs) median %s\n", cfg.n, usec(measure.Median(toMain)))
	fmt.Printf("  package init (inittrace, %d runs) median %s for %d packages, %d bytes allocated\n",
		cfg.n, usec(measure.Median(totals)), count, bytesTotal[len(bytesTotal)/2])
	type pkgCost struct {
		pkg    string
		median time.Duration
	}
	var costs []pkgCost
	for p, ds := range perPkg {
		costs = append(costs, pkgCost{p, measure.Median(ds)})
	}
	slices.SortFunc(costs, func(a, b pkgCost) int { return int(b.median - a.median) })
	for _, c := range costs[:min(cfg.top, len(costs))] {
		fmt.Printf("    %-44s %s\n", c.pkg, usec(c.median))
	}
	return nil
}

// countPackages returns how many packages pkg links as make builds it
// (CGO_ENABLED=0), and how many of them are outside the standard library.
func countPackages(ctx context.Context, pkg string) (all, nonStd int, err error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{.Standard}}", pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("go list -deps %s: %w", pkg, err)
	}
	for _, std := range strings.Fields(string(out)) {
		all++
		if std != "true" {
			nonStd++
		}
	}
	return all, nonStd, nil
}

// usec prints d in microseconds or milliseconds.
func usec(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
