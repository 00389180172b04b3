// Command ocicompare times `run` of /bin/true on one busybox bundle with
// container-runtime-oci and, when installed, runc and crun: alternating
// runtimes run by run, then reporting each one's median and its ratio to
// ours.
//
// crun 1.8 refuses this host's hybrid cgroup layout, so the comparison
// runs in a private mount namespace where /sys/fs/cgroup/unified is
// unmounted (for every runtime alike); ours is also timed on the host's
// real layout.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/runtime"
)

func main() {
	n := flag.Int("n", 100, "runs per runtime")
	ours := flag.String("ours", "bin/container-runtime-oci", "our binary")
	inner := flag.Bool("inner", false, "internal: already in the private mount namespace")
	flag.Parse()
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "ocicompare: needs root")
		os.Exit(1)
	}
	abs, err := filepath.Abs(*ours)
	check(err)
	if !*inner {
		bundle := makeBundle()
		defer os.RemoveAll(bundle)
		fmt.Printf("host cgroup layout (hybrid), %d runs each:\n", *n)
		report(compare(bundle, *n, []runner{{"container-runtime-oci", abs}}))
		// Re-run ourselves in a private mount namespace without the
		// cgroup2 mount, where crun works.
		cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
			`umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"`,
			os.Args[0], "-inner", "-n", fmt.Sprint(*n), "-ours", abs, bundle)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		check(cmd.Run())
		return
	}
	bundle := flag.Arg(0)
	rs := []runner{{"container-runtime-oci", abs}}
	for _, peer := range []string{"runc", "crun"} {
		if p, err := exec.LookPath(peer); err == nil {
			rs = append(rs, runner{peer, p})
		}
	}
	fmt.Printf("private mount namespace without /sys/fs/cgroup/unified, %d runs each, alternating:\n", *n)
	report(compare(bundle, *n, rs))
}

type runner struct{ name, path string }

type result struct {
	name   string
	median time.Duration
	p90    time.Duration
}

func compare(bundle string, n int, rs []runner) []result {
	times := make([][]time.Duration, len(rs))
	root := filepath.Join(os.TempDir(), "ocicompare-state")
	for i := 0; i < n; i++ {
		for j, r := range rs {
			id := fmt.Sprintf("bench-%d-%d", j, i)
			cmd := exec.Command(r.path, "--root", filepath.Join(root, r.name), "run", "--bundle", bundle, id)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			times[j] = append(times[j], time.Since(start))
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s run: %v: %s\n", r.name, err, out)
				os.Exit(1)
			}
		}
	}
	os.RemoveAll(root)
	var out []result
	for j, r := range rs {
		slices.Sort(times[j])
		out = append(out, result{r.name, times[j][len(times[j])/2], times[j][len(times[j])*9/10]})
	}
	return out
}

func report(rs []result) {
	for _, r := range rs {
		fmt.Printf("  %-22s median %8.2f ms  p90 %8.2f ms  ratio to ours %.2f\n", r.name,
			ms(r.median), ms(r.p90), float64(r.median)/float64(rs[0].median))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func makeBundle() string {
	dir, err := os.MkdirTemp("", "ocicompare-bundle-")
	check(err)
	check(busyboxfs.Create(filepath.Join(dir, "rootfs")))
	spec := runtime.DefaultSpec()
	spec.Process.Terminal = false
	spec.Process.Args = []string{"/bin/true"}
	spec.Root.Readonly = true
	// crun 1.8 refuses ociVersions newer than it knows.
	spec.Version = "1.0.2-dev"
	b, err := json.MarshalIndent(spec, "", "  ")
	check(err)
	check(os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644))
	return dir
}

func check(err error) {
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg = strings.TrimSpace(fmt.Sprint(ee, " ", string(ee.Stderr)))
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				msg += " (signal)"
			}
		}
		fmt.Fprintln(os.Stderr, "ocicompare:", msg)
		os.Exit(1)
	}
}
