package security

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// manyFilesContext writes a build context of n small files, 100 to a
// directory, whose Dockerfile copies them all: "FROM busybox / COPY .
// /ctx/".
func manyFilesContext(tb testing.TB, n int) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "ctx")
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%04d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				tb.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%06d", i)), fmt.Appendf(nil, "%d\n", i), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nCOPY . /ctx/\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// daemonMemory is the resident memory of the daemon process, in MiB: now
// (VmRSS) and at its peak (VmHWM).
type daemonMemory struct{ rss, peak float64 }

// memoryOf reads /proc/<pid>/status.
func memoryOf(tb testing.TB, pid int) daemonMemory {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	var m daemonMemory
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), ":")
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		switch {
		case name == "VmRSS" && err == nil:
			m.rss = kb / 1024
		case name == "VmHWM" && err == nil:
			m.peak = kb / 1024
		}
	}
	if m.rss == 0 || m.peak == 0 {
		tb.Fatalf("no VmRSS or VmHWM in /proc/%d/status", pid)
	}
	return m
}

// buildManyFiles builds a context of n files through d and returns the
// daemon's memory before (after a first small build, so that what every
// build loads once is counted in it) and after.
func buildManyFiles(tb testing.TB, d *daemon.Daemon, n int) (before, after daemonMemory) {
	tb.Helper()
	warm := filepath.Join(tb.TempDir(), "warm")
	if err := os.MkdirAll(warm, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(warm, "Dockerfile"), []byte("FROM busybox\nCOPY Dockerfile /\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	d.OK(tb, "build", "-t", "warm", warm)
	ctx := manyFilesContext(tb, n)
	before = memoryOf(tb, d.Pid())
	d.OK(tb, "build", "-t", "manyfiles", ctx)
	after = memoryOf(tb, d.Pid())
	return before, after
}

// TestCWE770_BuildContextMemoryBounded guards against uncontrolled memory
// use (CWE-770) by a build context: COPY kept a record per file of the
// context, so a client could make the daemon hold memory in proportion to
// the files it named (200,000 files: a 355 MB peak, 196 MB still resident
// afterwards). Through the real daemon, a COPY of 50,000 files must raise
// the daemon's peak resident memory (VmHWM) by less than 50 MiB and leave
// it less than 24 MiB above where it was. (Before the fix the same build
// in process raised the peak by 89 MiB; after it, through the daemon, by
// about 28 MiB, keeping about 5 MiB.)
func TestCWE770_BuildContextMemoryBounded(t *testing.T) {
	testutil.SkipShort(t, "writes and builds 50,000 files")
	d := daemon.New(t)
	d.Busybox(t)
	before, after := buildManyFiles(t, d, 50_000)
	t.Logf("daemon memory: %.1f MiB before, peak %.1f MiB, %.1f MiB after", before.rss, after.peak, after.rss)
	if grew := after.peak - before.rss; grew > 50 {
		t.Errorf("COPY of 50,000 files raised the daemon's peak RSS by %.1f MiB (%.1f -> %.1f), want under 50", grew, before.rss, after.peak)
	}
	if kept := after.rss - before.rss; kept > 24 {
		t.Errorf("after COPY of 50,000 files the daemon keeps %.1f MiB more (%.1f -> %.1f), want under 24", kept, before.rss, after.rss)
	}
	if out := d.OK(t, "run", "--rm", "--network", "none", "manyfiles", "cat", "/ctx/d0499/f049999"); out != "49999\n" {
		t.Errorf("the last file of the image reads %q", out)
	}
}

// BenchmarkBuildContextMemory is the measurement: COPY . of a
// 200,000-file context through the real daemon, reporting the daemon's
// resident memory before (idle-MiB), at its peak (peak-MiB) and after
// (after-MiB). Run it alone, once:
//
//	go test -run '^$' -bench BuildContextMemory -benchtime 1x ./integration/security/
func BenchmarkBuildContextMemory(b *testing.B) {
	for b.Loop() {
		d := daemon.New(b)
		d.Busybox(b)
		before, after := buildManyFiles(b, d, 200_000)
		b.ReportMetric(before.rss, "idle-MiB")
		b.ReportMetric(after.peak, "peak-MiB")
		b.ReportMetric(after.rss, "after-MiB")
	}
}
