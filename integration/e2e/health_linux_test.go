package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// healthWait bounds the waits for a health status: checks run every
// 100-200ms in these tests, so this only matters on a machine under load.
const healthWait = 60 * time.Second

// buildHealthImage builds name from a Dockerfile FROM base whose other
// lines are lines.
func buildHealthImage(t testing.TB, d *daemon.Daemon, name, base string, lines ...string) {
	t.Helper()
	dir := filepath.Join(d.Dir, "ctx-"+name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dockerfile := filepath.Join(dir, "Dockerfile")
	content := "FROM " + base + "\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(dockerfile, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	build(t, d, name, dockerfile)
}

// health returns a container's health (nil without one).
func health(t testing.TB, d *daemon.Daemon, name string) *api.Health {
	t.Helper()
	return d.Inspect(t, name).StateDetail.Health
}

// waitHealth waits until the container's health status is want.
func waitHealth(t testing.TB, d *daemon.Daemon, name, want string) *api.Health {
	t.Helper()
	var h *api.Health
	testutil.WaitFor(t, healthWait, name+" "+want, func() bool {
		h = health(t, d, name)
		return h != nil && h.Status == want
	})
	return h
}

// psNames lists the names ps prints with args.
func psNames(t testing.TB, d *daemon.Daemon, args ...string) []string {
	t.Helper()
	out := d.OK(t, append([]string{"ps", "--format", "{{.Names}}"}, args...)...)
	return strings.Fields(out)
}

// TestHealthcheckLifecycle builds an image with a HEALTHCHECK and follows
// a container of it through Docker's states: starting, unhealthy after
// --retries failures in a row, healthy after a success, with the log
// bounded to the last 5 results; ps shows the state in its status and
// filters on it; inspect shows Docker's fields; events carry
// health_status changes.
func TestHealthcheckLifecycle(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	buildHealthImage(t, d, "hc", bb, "HEALTHCHECK --interval=100ms --timeout=5s --retries=2 CMD test -f /tmp/ok")
	buildHealthImage(t, d, "hc-child", "hc", "LABEL child=1")
	buildHealthImage(t, d, "hc-none", "hc", "HEALTHCHECK NONE")

	t.Run("image config", func(t *testing.T) {
		out := d.OK(t, "image", "inspect", "-f", "{{json .Config.Healthcheck}}", "hc")
		var hc struct {
			Test     []string
			Interval int64
			Timeout  int64
			Retries  int
		}
		if err := json.Unmarshal([]byte(out), &hc); err != nil {
			t.Fatalf("image inspect printed %q: %v", out, err)
		}
		if !slices.Equal(hc.Test, []string{"CMD-SHELL", "test -f /tmp/ok"}) || hc.Interval != int64(100*time.Millisecond) ||
			hc.Timeout != int64(5*time.Second) || hc.Retries != 2 {
			t.Errorf("image Healthcheck %+v, want Docker's fields in nanoseconds", hc)
		}
		if child := d.OK(t, "image", "inspect", "-f", "{{json .Config.Healthcheck}}", "hc-child"); child != out {
			t.Errorf("FROM hc inherits %s, want %s", child, out)
		}
		if none := d.OK(t, "image", "inspect", "-f", "{{json .Config.Healthcheck.Test}}", "hc-none"); strings.TrimSpace(none) != `["NONE"]` {
			t.Errorf("HEALTHCHECK NONE stored as %s", none)
		}
	})

	events := d.Background(t, "events", "--since", "1m", "--format", "json", "--filter", "event=health_status")
	d.OK(t, "run", "-d", "--name", "hc1", "hc", "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "plain", bb, "sleep", "1000")
	d.OK(t, "run", "-d", "--name", "slow", "--health-cmd", "true", "--health-interval", "1h", bb, "sleep", "1000")

	t.Run("starting", func(t *testing.T) {
		// The first check of slow runs after an hour.
		if h := health(t, d, "slow"); h == nil || h.Status != api.HealthStarting || len(h.Log) != 0 {
			t.Fatalf("slow's health %+v, want starting with no result", h)
		}
		if st := d.OK(t, "ps", "--filter", "name=slow", "--format", "{{.Status}}"); !strings.HasSuffix(strings.TrimSpace(st), "(health: starting)") {
			t.Errorf("ps status %q, want it to end with (health: starting)", st)
		}
		// hc1 may still be starting too (its first failure does not
		// make it unhealthy); plain has no check.
		if got := psNames(t, d, "--filter", "health=starting"); !slices.Contains(got, "slow") || slices.Contains(got, "plain") {
			t.Errorf("ps --filter health=starting: %v, want slow and not plain", got)
		}
	})

	t.Run("unhealthy after retries", func(t *testing.T) {
		h := waitHealth(t, d, "hc1", api.HealthUnhealthy)
		if h.FailingStreak < 2 || len(h.Log) < 2 {
			t.Fatalf("unhealthy with streak %d and %d results, want at least 2 of each", h.FailingStreak, len(h.Log))
		}
		for _, l := range h.Log {
			if l.ExitCode != 1 || l.End.Before(l.Start) {
				t.Errorf("result %+v, want exit code 1 and an end after its start", l)
			}
		}
		if st := d.OK(t, "ps", "--filter", "name=hc1", "--format", "{{.Status}}"); !strings.HasSuffix(strings.TrimSpace(st), "(unhealthy)") {
			t.Errorf("ps status %q, want (unhealthy)", st)
		}
		if got := psNames(t, d, "--filter", "health=unhealthy"); !slices.Equal(got, []string{"hc1"}) {
			t.Errorf("ps --filter health=unhealthy: %v, want [hc1]", got)
		}
	})

	t.Run("healthy and log bounded", func(t *testing.T) {
		d.OK(t, "exec", "hc1", "touch", "/tmp/ok")
		waitHealth(t, d, "hc1", api.HealthHealthy)
		// Five successes after at least two failures: at least seven
		// checks ran, five are kept.
		var h *api.Health
		testutil.WaitFor(t, healthWait, "five successful checks", func() bool {
			h = health(t, d, "hc1")
			return h != nil && len(h.Log) == 5 && !slices.ContainsFunc(h.Log, func(l api.HealthResult) bool { return l.ExitCode != 0 })
		})
		if h.Status != api.HealthHealthy || h.FailingStreak != 0 {
			t.Errorf("health %+v, want healthy with no failing streak", h)
		}
		for i := 1; i < len(h.Log); i++ {
			if h.Log[i].Start.Before(h.Log[i-1].Start) {
				t.Errorf("log not oldest first: %+v", h.Log)
			}
		}
		if got := d.OK(t, "inspect", "-f", "{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}", "hc1"); got != "healthy 0 5\n" {
			t.Errorf("inspect -f printed %q, want \"healthy 0 5\"", got)
		}
		if got := d.OK(t, "inspect", "-f", "{{json .Config.Healthcheck.Test}}", "hc1"); strings.TrimSpace(got) != `["CMD-SHELL","test -f /tmp/ok"]` {
			t.Errorf("inspect Config.Healthcheck.Test %s", got)
		}
		if st := d.OK(t, "ps", "--filter", "name=hc1", "--format", "{{.Status}}"); !strings.HasPrefix(st, "Up ") || !strings.HasSuffix(strings.TrimSpace(st), "(healthy)") {
			t.Errorf("ps status %q, want Up ... (healthy)", st)
		}
		if got := psNames(t, d, "--filter", "health=healthy"); !slices.Equal(got, []string{"hc1"}) {
			t.Errorf("ps --filter health=healthy: %v, want [hc1]", got)
		}
		if got := psNames(t, d, "--filter", "health=none"); !slices.Equal(got, []string{"plain"}) {
			t.Errorf("ps --filter health=none: %v, want [plain]", got)
		}
		if r := d.Run(t, "ps", "--filter", "health=fine"); r.Code == 0 || !strings.Contains(r.Stderr, "health=fine") {
			t.Errorf("ps --filter health=fine: want an error naming it\n%v", r)
		}
	})

	t.Run("events", func(t *testing.T) {
		var got []string
		testutil.WaitFor(t, healthWait, "health_status events", func() bool {
			got = got[:0]
			for _, line := range strings.Split(strings.TrimSpace(events.Stdout()), "\n") {
				var e struct {
					Action string
					Actor  struct{ Attributes map[string]string }
				}
				if json.Unmarshal([]byte(line), &e) == nil && e.Actor.Attributes["name"] == "hc1" {
					got = append(got, e.Action)
				}
			}
			return slices.Contains(got, "health_status: healthy")
		})
		// Only changes are events: starting is no check's result.
		if want := []string{"health_status: unhealthy", "health_status: healthy"}; !slices.Equal(got, want) {
			t.Errorf("events for hc1: %q, want %q", got, want)
		}
	})

	t.Run("stops with the container", func(t *testing.T) {
		d.OK(t, "stop", "-t", "0", "hc1")
		before := health(t, d, "hc1")
		if before == nil || len(before.Log) != 5 {
			t.Fatalf("an exited container keeps its last health: %+v", before)
		}
		// Were checks still running, the log would move on.
		time.Sleep(500 * time.Millisecond)
		if after := health(t, d, "hc1"); after.Log[4].Start != before.Log[4].Start {
			t.Errorf("a check ran after the container stopped: %+v", after.Log[4])
		}
	})
	d.OK(t, "rm", "-f", "plain", "slow")
	events.Interrupt()
	events.Wait(10 * time.Second)
}

// TestHealthcheckOverrides checks the run flags against the image's
// HEALTHCHECK, as Docker merges them, HEALTHCHECK NONE and
// --no-healthcheck, the flags' errors, a check's timeout and its output
// bound.
func TestHealthcheckOverrides(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	buildHealthImage(t, d, "hcfail", bb, "HEALTHCHECK --interval=100ms --retries=1 CMD false")
	buildHealthImage(t, d, "hcnone", "hcfail", "HEALTHCHECK NONE")

	t.Run("save and load", func(t *testing.T) {
		// The config Docker would read (docker-archive) carries the
		// check, and load reads it back.
		archive := filepath.Join(d.Dir, "hcfail.tar")
		want := d.OK(t, "image", "inspect", "-f", "{{json .Config.Healthcheck}}", "hcfail")
		d.OK(t, "save", "-o", archive, "hcfail")
		d.OK(t, "rmi", "hcnone", "hcfail")
		d.OK(t, "load", "-i", archive)
		if got := d.OK(t, "image", "inspect", "-f", "{{json .Config.Healthcheck}}", "hcfail"); got != want || !strings.Contains(got, "CMD-SHELL") {
			t.Errorf("after save and load: %s, want %s", got, want)
		}
		buildHealthImage(t, d, "hcnone", "hcfail", "HEALTHCHECK NONE")
	})

	t.Run("command replaced", func(t *testing.T) {
		d.OK(t, "run", "-d", "--name", "o1", "--health-cmd", "true", "hcfail", "sleep", "1000")
		waitHealth(t, d, "o1", api.HealthHealthy)
		hc := d.Inspect(t, "o1").Config.Healthcheck
		if hc == nil || !slices.Equal(hc.Test, []string{"CMD-SHELL", "true"}) || hc.Interval != 100*time.Millisecond || hc.Retries != 1 {
			t.Errorf("check in effect %+v, want the flag's command with the image's interval and retries", hc)
		}
	})

	t.Run("field replaced", func(t *testing.T) {
		d.OK(t, "run", "-d", "--name", "o2", "--health-retries", "4", "hcfail", "sleep", "1000")
		h := waitHealth(t, d, "o2", api.HealthUnhealthy)
		if h.FailingStreak < 4 {
			t.Errorf("unhealthy after %d failures, want --health-retries 4", h.FailingStreak)
		}
		hc := d.Inspect(t, "o2").Config.Healthcheck
		if hc == nil || !slices.Equal(hc.Test, []string{"CMD-SHELL", "false"}) || hc.Retries != 4 {
			t.Errorf("check in effect %+v, want the image's command with 4 retries", hc)
		}
	})

	t.Run("none", func(t *testing.T) {
		d.OK(t, "run", "-d", "--name", "n1", "--no-healthcheck", "hcfail", "sleep", "1000")
		d.OK(t, "run", "-d", "--name", "n2", "hcnone", "sleep", "1000")
		d.OK(t, "run", "-d", "--name", "n3", "--health-cmd", "true", "--health-interval", "100ms", "hcnone", "sleep", "1000")
		waitHealth(t, d, "n3", api.HealthHealthy)
		for _, n := range []string{"n1", "n2"} {
			if h := health(t, d, n); h != nil {
				t.Errorf("%s has health %+v, want none", n, h)
			}
		}
		got := psNames(t, d, "--filter", "health=none")
		slices.Sort(got)
		if !slices.Equal(got, []string{"n1", "n2"}) {
			t.Errorf("ps --filter health=none: %v, want n1 n2", got)
		}
		if got := d.OK(t, "inspect", "-f", "{{json .Config.Healthcheck.Test}}", "n1"); strings.TrimSpace(got) != `["NONE"]` {
			t.Errorf("--no-healthcheck shows Test %s, want [\"NONE\"]", got)
		}
	})

	t.Run("flag errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"--no-healthcheck", "--health-cmd", "true"},
			{"--health-interval", "-1s", "--health-cmd", "true"},
			{"--health-retries", "-1", "--health-cmd", "true"},
			{"--health-interval", "10us", "--health-cmd", "true"},
		} {
			r := d.Run(t, append(append([]string{"create"}, args...), bb, "true")...)
			if r.Code == 0 || !strings.Contains(r.Stderr, "health") {
				t.Errorf("create %v: want an error about the health check\n%v", args, r)
			}
		}
	})

	t.Run("timeout", func(t *testing.T) {
		d.OK(t, "run", "-d", "--name", "t1", "--health-cmd", "sleep 30", "--health-timeout", "200ms",
			"--health-interval", "100ms", "--health-retries", "1", bb, "sleep", "1000")
		h := waitHealth(t, d, "t1", api.HealthUnhealthy)
		l := h.Log[0]
		if l.ExitCode != -1 || l.Output != "Health check exceeded timeout (200ms)" {
			t.Errorf("timed out check %+v, want exit code -1 and Docker's message", l)
		}
		// The timed-out check's process was killed: none is left.
		d.OK(t, "stop", "-t", "0", "t1")
	})

	t.Run("output bounded", func(t *testing.T) {
		d.OK(t, "run", "-d", "--name", "b1", "--health-cmd", "yes 0123456789 | head -c 10000; echo to-stderr >&2",
			"--health-interval", "100ms", bb, "sleep", "1000")
		h := waitHealth(t, d, "b1", api.HealthHealthy)
		out := h.Log[0].Output
		if len(out) != 4096+3 || !strings.HasSuffix(out, "...") || !strings.HasPrefix(out, "0123456789\n") {
			t.Errorf("output of %d bytes (%.20q...), want the first 4096 and \"...\"", len(out), out)
		}
		d.OK(t, "run", "-d", "--name", "b2", "--health-cmd", "echo to-stderr >&2; exit 1",
			"--health-interval", "100ms", "--health-retries", "1", bb, "sleep", "1000")
		if h := waitHealth(t, d, "b2", api.HealthUnhealthy); h.Log[0].Output != "to-stderr\n" || h.Log[0].ExitCode != 1 {
			t.Errorf("result %+v, want stderr's line and exit code 1", h.Log[0])
		}
	})

	t.Run("missing command", func(t *testing.T) {
		d.OK(t, "run", "-d", "--name", "m1", "--health-cmd", "x", "--health-interval", "100ms", "--health-retries", "1", bb, "sleep", "1000")
		if h := waitHealth(t, d, "m1", api.HealthUnhealthy); h.Log[0].ExitCode == 0 {
			t.Errorf("a check whose command is missing succeeded: %+v", h.Log[0])
		}
	})
	d.OK(t, "rm", "-f", "o1", "o2", "n1", "n2", "n3", "t1", "b1", "b2", "m1")
}

// TestHealthcheckAcrossDaemonRestart checks that the checks of a running
// container resume after kill -9 of the daemon and a new daemon, keeping
// the health it had, and that pause stops them until unpause.
func TestHealthcheckAcrossDaemonRestart(t *testing.T) {
	d := daemon.New(t)
	bb := d.Busybox(t)
	d.OK(t, "run", "-d", "--name", "r1", "--health-cmd", "test -f /tmp/ok", "--health-interval", "100ms",
		"--health-retries", "1", bb, "sh", "-c", "touch /tmp/ok; exec sleep 1000")
	waitHealth(t, d, "r1", api.HealthHealthy)

	d.Kill9(t)
	restarted := time.Now().UTC()
	d.Start(t)
	if h := health(t, d, "r1"); h == nil || h.Status != api.HealthHealthy {
		t.Fatalf("after the daemon restart r1's health is %+v, want healthy", h)
	}
	testutil.WaitFor(t, healthWait, "a check by the new daemon", func() bool {
		h := health(t, d, "r1")
		return h != nil && len(h.Log) > 0 && h.Log[len(h.Log)-1].Start.After(restarted)
	})
	d.OK(t, "exec", "r1", "rm", "/tmp/ok")
	waitHealth(t, d, "r1", api.HealthUnhealthy)

	t.Run("pause", func(t *testing.T) {
		d.OK(t, "exec", "r1", "touch", "/tmp/ok")
		waitHealth(t, d, "r1", api.HealthHealthy)
		d.OK(t, "pause", "r1")
		before := health(t, d, "r1")
		time.Sleep(500 * time.Millisecond)
		if after := health(t, d, "r1"); after.Log[len(after.Log)-1].Start != before.Log[len(before.Log)-1].Start {
			t.Errorf("a check ran in a paused container: %+v", after.Log[len(after.Log)-1])
		}
		paused := time.Now().UTC()
		d.OK(t, "unpause", "r1")
		testutil.WaitFor(t, healthWait, "a check after unpause", func() bool {
			h := health(t, d, "r1")
			return h != nil && h.Log[len(h.Log)-1].Start.After(paused)
		})
	})
	d.OK(t, "rm", "-f", "r1")
}
