package builder

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// bigContext writes a build context of n small files, 100 to a
// directory, with the Dockerfile "FROM scratch / COPY . /ctx/".
func bigContext(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%04d", i/100))
		if i%100 == 0 {
			if err := os.Mkdir(sub, 0o755); err != nil {
				tb.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%06d.txt", i)), fmt.Appendf(nil, "file %d\n", i), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY . /ctx/\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// procStatusKB returns a "Vm..." field of /proc/self/status in KiB.
func procStatusKB(tb testing.TB, field string) int64 {
	tb.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n
		}
	}
	tb.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// peakRSSGrowth runs f and returns by how much the process's peak
// resident set (VmHWM) rose above its resident set before f, in MiB.
// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0), so
// the peak is f's own, not an earlier test's.
func peakRSSGrowth(tb testing.TB, f func()) float64 {
	tb.Helper()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		testutil.Missing(tb, "cannot reset the peak RSS: %v", err)
	}
	before := procStatusKB(tb, "VmRSS")
	f()
	return float64(procStatusKB(tb, "VmHWM")-before) / 1024
}

// A COPY of a big context must not hold a record per file in memory: the
// sources are walked, hashed and copied one file at a time. Before this
// was fixed, COPY of 200,000 files raised a daemon's peak RSS by 325 MiB
// (about 1.6 KiB a file); 50,000 files now stay under 40 MiB, the bound
// below, whatever the count. The cached rebuild, which decodes the step's
// cache entry, and a rebuild after one file changed, which compares the
// file lists, are held to the same bound.
func TestCopyBigContextBoundedMemory(t *testing.T) {
	const files = 50_000
	const boundMiB = 40
	testutil.SkipShort(t, "writes 50,000 files")
	e := newTestEnv(t)
	dir := bigContext(t, files)
	changed := fmt.Sprintf("d%04d/f%06d.txt", files/3/100, files/3)
	last := fmt.Sprintf("d%04d/f%06d.txt", (files-1)/100, files-1)
	opts := Options{ContextDir: dir, Tags: []string{"big"}, Progress: io.Discard}
	ctx := context.Background()
	var out bytes.Buffer
	for _, run := range []struct {
		name   string
		before func()
		want   string
	}{
		{"first build", func() {}, "COPY . /ctx/"},
		{"cached rebuild", func() {}, "CACHED"},
		{"one file changed", func() {
			if err := os.WriteFile(filepath.Join(dir, changed), []byte("changed"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "cache miss: file " + changed + " changed"},
	} {
		run.before()
		out.Reset()
		opts.Progress = &out
		var err error
		grew := peakRSSGrowth(t, func() { _, err = e.builder.Build(ctx, opts) })
		if err != nil {
			t.Fatalf("%s: %v\n%s", run.name, err, out.String())
		}
		if !strings.Contains(out.String(), run.want) {
			t.Errorf("%s: the progress lacks %q:\n%s", run.name, run.want, out.String())
		}
		t.Logf("%s of %d files: peak RSS +%.1f MiB", run.name, files, grew)
		if grew > boundMiB {
			t.Errorf("%s of %d files raised the peak RSS by %.1f MiB, want under %d MiB", run.name, files, grew, boundMiB)
		}
	}
	img, err := e.builder.Store.Image(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.readFile(t, img, "/ctx/"+changed); got != "changed" {
		t.Errorf("the rebuilt image has %q in %s, want the changed file", got, changed)
	}
	if got, want := e.readFile(t, img, "/ctx/"+last), fmt.Sprintf("file %d\n", files-1); got != want {
		t.Errorf("%s reads %q, want %q", last, got, want)
	}
}
