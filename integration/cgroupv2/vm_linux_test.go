package cgroupv2

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// runBound bounds the whole guest run: boot (well under two minutes under
// TCG) and the tests. The guest's test binary has its own 5-minute bound.
const runBound = 8 * time.Minute

// guestTests are the tests the guest must report passed: one missing
// (renamed, not built, skipped) fails the run like a failure would.
var guestTests = []string{
	"TestGuestIsCgroup2Only",
	"TestMemoryLimitOOMKillExits137",
	"TestPidsLimitForkFails",
	"TestCPUQuotaInCPUMax",
	"TestCpusetPinsCPUs",
	"TestCgroupNamespaceView",
	"TestDeleteRemovesCgroup",
	"TestUpdateRunningContainer",
	"TestUpdateRefusedKeepsLimits",
	"TestStatsReadsV2Counters",
}

// TestCgroupV2Guest boots Debian's kernel under QEMU on an initramfs with
// cgroup2 alone mounted, and requires every guest test to pass there.
func TestCgroupV2Guest(t *testing.T) {
	testutil.RequireRoot(t) // Debian's /boot/vmlinuz-* is readable by root only
	testutil.SkipShort(t, "boots a QEMU guest: minutes under emulation")
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		testutil.Missing(t, "needs qemu-system-x86_64 (apt-get install qemu-system-x86): %v", err)
	}
	kernel := findKernel(t)

	dir := t.TempDir()
	start := time.Now()
	initrd, cached := buildInitramfs(t, dir)
	t.Logf("initramfs %s (cached: %v) in %v", initrd, cached, time.Since(start).Round(time.Millisecond))

	run := boot(t, dir, qemu, kernel, initrd)
	t.Logf("guest (-accel %s, kernel %s): init ran after %v, the tests in %v, %v in all",
		run.accel, kernel, run.booted.Round(time.Second), (run.ended - run.booted).Round(time.Second),
		run.ended.Round(time.Second))
	if problems := check(run.lines); len(problems) > 0 {
		t.Errorf("the guest run failed:\n  %s\n\nserial console:\n%s",
			strings.Join(problems, "\n  "), strings.Join(run.lines, "\n"))
		return
	}
	for _, line := range run.lines {
		if strings.HasPrefix(strings.TrimSpace(line), "--- PASS") {
			t.Log("guest: " + strings.TrimSpace(line))
		}
	}
}

// findKernel returns the newest /boot/vmlinuz-*.
func findKernel(t *testing.T) string {
	t.Helper()
	kernels, _ := filepath.Glob("/boot/vmlinuz-*")
	if len(kernels) == 0 {
		testutil.Missing(t, "needs a Linux kernel in /boot/vmlinuz-* to boot the guest (apt-get install linux-image-amd64)")
	}
	slices.SortFunc(kernels, compareVersions)
	return kernels[len(kernels)-1]
}

// compareVersions orders paths by their numbers (6.1.0-9 < 6.1.0-10).
func compareVersions(a, b string) int {
	num := regexp.MustCompile(`\d+|\D+`)
	pa, pb := num.FindAllString(a, -1), num.FindAllString(b, -1)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil && na != nb:
			return na - nb
		case (ea != nil || eb != nil) && pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return len(pa) - len(pb)
}

// buildInitramfs builds the runtime and the guest tests into dir, stages
// the guest's root there and returns its (possibly cached) archive.
func buildInitramfs(t *testing.T, dir string) (path string, cached bool) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		testutil.Missing(t, "needs the go command in $PATH to build the guest's binaries: %v", err)
	}
	g := Guest{OCI: filepath.Join(dir, "container-runtime-oci"), Test: filepath.Join(dir, "guest.test")}
	// The runtime links libseccomp (cgo): Stage copies the libraries.
	goBuild(t, nil, goTool, "build", "-buildvcs=false", "-o", g.OCI,
		"github.com/container-runtime/container-runtime/cmd/container-runtime-oci")
	// The guest tests need no cgo: a static binary.
	goBuild(t, []string{"CGO_ENABLED=0"}, goTool, "test", "-c", "-buildvcs=false", "-tags", "cgroupv2guest",
		"-o", g.Test, "github.com/container-runtime/container-runtime/integration/cgroupv2/guest")

	root := filepath.Join(dir, "root")
	if err := Stage(root, g); err != nil {
		t.Fatal(err)
	}
	path, cached, err = Archive(root, CacheDir)
	if err != nil {
		t.Fatal(err)
	}
	return path, cached
}

func goBuild(t *testing.T, env []string, goTool string, args ...string) {
	t.Helper()
	cmd := exec.Command(goTool, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// guestRun is what the guest printed on its serial console, and when.
type guestRun struct {
	accel  string
	lines  []string
	booted time.Duration // until init's first line
	ended  time.Duration // until QEMU exited
}

// accels are the accelerators tried in order, with the CPU model for
// each: KVM where it works, else TCG's emulation of every feature it has.
// QEMU's own fallback (-accel kvm -accel tcg) does not cover this
// machine: its /dev/kvm makes a VM, then QEMU aborts setting an MSR (no
// VT-x), so a KVM run that ends before the guest printed anything is
// retried under TCG.
var accels = []struct{ name, cpu string }{{"kvm", "host"}, {"tcg", "max"}}

// boot runs QEMU on kernel and initrd until the guest powers off, and
// returns its serial console's lines. QEMU runs in dir, where the core
// dump of an aborted KVM attempt would go.
func boot(t *testing.T, dir, qemu, kernel, initrd string) guestRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runBound)
	defer cancel()
	var tried []string
	for _, a := range accels {
		run, stderr, err := bootWith(ctx, dir, qemu, a.name, a.cpu, kernel, initrd)
		switch {
		case ctx.Err() != nil:
			t.Fatalf("the guest did not power off within %v (-accel %s)\nserial console:\n%s\nqemu stderr: %s",
				runBound, a.name, strings.Join(run.lines, "\n"), stderr)
		case err != nil && len(run.lines) == 0:
			tried = append(tried, fmt.Sprintf("-accel %s: %v: %s", a.name, err, strings.TrimSpace(stderr)))
			continue
		case err != nil:
			t.Fatalf("qemu -accel %s: %v\nserial console:\n%s\nqemu stderr: %s",
				a.name, err, strings.Join(run.lines, "\n"), stderr)
		}
		for _, e := range tried {
			t.Logf("fell back from %s", e)
		}
		return run
	}
	t.Fatalf("qemu could not run the guest:\n%s", strings.Join(tried, "\n"))
	return guestRun{}
}

// bootWith runs one QEMU with the accelerator accel and CPU model cpu.
func bootWith(ctx context.Context, dir, qemu, accel, cpu, kernel, initrd string) (guestRun, string, error) {
	run := guestRun{accel: accel}
	cmd := exec.CommandContext(ctx, qemu,
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-accel", accel, "-cpu", cpu, "-smp", "2", "-m", "1024",
		"-serial", "stdio", "-kernel", kernel, "-initrd", initrd,
		// cgroup_no_v1=all: no controller can be bound to a v1 hierarchy.
		// panic=-1 with -no-reboot: a dying init ends QEMU at once.
		"-append", "console=ttyS0 rdinit=/init panic=-1 loglevel=3 cgroup_no_v1=all")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return run, "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return run, "", fmt.Errorf("starting %s: %w", qemu, err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if run.booted == 0 && strings.HasPrefix(line, "cgroupv2-guest:") {
			run.booted = time.Since(began)
		}
		run.lines = append(run.lines, line)
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	run.ended = time.Since(began)
	return run, stderr.String(), err
}

// markerLine matches the guest init's last line.
var markerLine = regexp.MustCompile(`^` + ExitMarker + ` (\d+)$`)

// check returns what is wrong with the guest's transcript: no marker, a
// nonzero exit, a failed or skipped test, a guest test that did not pass.
func check(lines []string) []string {
	var problems []string
	code := -1
	passed := map[string]bool{}
	for _, line := range lines {
		l := strings.TrimSpace(line)
		if m := markerLine.FindStringSubmatch(l); m != nil {
			code, _ = strconv.Atoi(m[1])
		}
		if name, found := strings.CutPrefix(l, "--- PASS: "); found {
			passed[strings.Fields(name)[0]] = true
		}
		if strings.HasPrefix(l, "--- FAIL") || strings.HasPrefix(l, "--- SKIP") {
			problems = append(problems, l)
		}
	}
	switch code {
	case -1:
		problems = append(problems, "no "+ExitMarker+" line: the guest's init did not finish")
	case 0:
	default:
		problems = append(problems, fmt.Sprintf("the guest reported exit %d", code))
	}
	for _, name := range guestTests {
		if !passed[name] {
			problems = append(problems, name+" did not pass")
		}
	}
	return problems
}
