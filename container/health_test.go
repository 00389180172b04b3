package container

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// TestApplyHealthResult walks Docker's state machine: failures count only
// outside the start period while starting, retries failures in a row make
// the container unhealthy, one success makes it healthy and ends the
// streak, the log keeps the last five results.
func TestApplyHealthResult(t *testing.T) {
	started := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration, code int) api.HealthResult {
		return api.HealthResult{Start: started.Add(d), End: started.Add(d + time.Millisecond), ExitCode: code}
	}
	tm := healthTimings{interval: time.Second, timeout: time.Second, startPeriod: 10 * time.Second, startInterval: time.Second, retries: 2}
	type step struct {
		res    api.HealthResult
		status string
		streak int
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"failures in the start period do not count", []step{
			{at(time.Second, 1), api.HealthStarting, 0},
			{at(9*time.Second, 1), api.HealthStarting, 0},
			{at(11*time.Second, 1), api.HealthStarting, 1},
			{at(12*time.Second, 1), api.HealthUnhealthy, 2},
		}},
		{"a success then counts every failure", []step{
			{at(time.Second, 0), api.HealthHealthy, 0},
			{at(2*time.Second, 1), api.HealthHealthy, 1},
			{at(3*time.Second, 2), api.HealthUnhealthy, 2},
			{at(4*time.Second, -1), api.HealthUnhealthy, 3},
			{at(5*time.Second, 0), api.HealthHealthy, 0},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h *api.Health
			for i, s := range tc.steps {
				prev := h
				var prevLog []api.HealthResult
				if prev != nil {
					prevLog = append(prevLog, prev.Log...)
				}
				h = applyHealthResult(h, tm, started, s.res)
				if h.Status != s.status || h.FailingStreak != s.streak {
					t.Fatalf("step %d: %s streak %d, want %s streak %d", i, h.Status, h.FailingStreak, s.status, s.streak)
				}
				if prev != nil && !reflect.DeepEqual(prev.Log, prevLog) {
					t.Fatalf("step %d changed the previous health's log", i)
				}
			}
		})
	}
	t.Run("log keeps the last five", func(t *testing.T) {
		var h *api.Health
		for i := range 8 {
			h = applyHealthResult(h, tm, started, at(time.Duration(i+20)*time.Second, i%2))
		}
		if len(h.Log) != maxHealthLog || !h.Log[0].Start.Equal(started.Add(23*time.Second)) || !h.Log[4].Start.Equal(started.Add(27*time.Second)) {
			t.Errorf("log %+v, want the checks at 23s..27s", h.Log)
		}
	})
}

// TestNextHealthCheck checks the start interval while starting within the
// start period, the interval otherwise.
func TestNextHealthCheck(t *testing.T) {
	started := time.Now()
	tm := healthTimings{interval: 30 * time.Second, startPeriod: time.Minute, startInterval: 5 * time.Second}
	for _, tc := range []struct {
		status string
		since  time.Duration
		want   time.Duration
	}{
		{api.HealthStarting, time.Second, 5 * time.Second},
		{api.HealthStarting, 2 * time.Minute, 30 * time.Second},
		{api.HealthHealthy, time.Second, 30 * time.Second},
		{api.HealthUnhealthy, time.Second, 30 * time.Second},
	} {
		if got := nextHealthCheck(tm, tc.status, started, started.Add(tc.since)); got != tc.want {
			t.Errorf("%s after %v: next in %v, want %v", tc.status, tc.since, got, tc.want)
		}
	}
	if got := nextHealthCheck(timingsOf(&api.HealthConfig{Test: []string{"CMD", "x"}}), api.HealthStarting, started, started); got != defaultHealthInterval {
		t.Errorf("defaults: next in %v, want %v (no start period)", got, defaultHealthInterval)
	}
}

// TestContainerHealthcheck checks Docker's merge of the request's fields
// over the image's and the refusals of bad values.
func TestContainerHealthcheck(t *testing.T) {
	img := &image.Healthcheck{Test: []string{"CMD-SHELL", "curl -f localhost"}, Interval: time.Minute, Retries: 5}
	for _, tc := range []struct {
		name string
		req  *api.HealthConfig
		img  *image.Healthcheck
		want *api.HealthConfig
	}{
		{"neither", nil, nil, nil},
		{"image only", nil, img, &api.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}, Interval: time.Minute, Retries: 5}},
		{"command replaced", &api.HealthConfig{Test: []string{"CMD-SHELL", "true"}}, img,
			&api.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Minute, Retries: 5}},
		{"fields replaced", &api.HealthConfig{Timeout: time.Second, Retries: 1}, img,
			&api.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}, Interval: time.Minute, Timeout: time.Second, Retries: 1}},
		{"none", &api.HealthConfig{Test: []string{"NONE"}}, img, &api.HealthConfig{Test: []string{"NONE"}, Interval: time.Minute, Retries: 5}},
		{"flags without a command or an image check", &api.HealthConfig{Interval: time.Second}, nil, nil},
		{"exec form", &api.HealthConfig{Test: []string{"CMD", "/bin/check", "-q"}}, nil, &api.HealthConfig{Test: []string{"CMD", "/bin/check", "-q"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := containerHealthcheck(tc.req, tc.img)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if h, _ := containerHealthcheck(&api.HealthConfig{Test: []string{"NONE"}}, img); healthEnabled(h) {
		t.Error("NONE enables checks")
	}
	for _, bad := range []api.HealthConfig{
		{Test: []string{"RUN", "x"}}, {Test: []string{"CMD"}}, {Test: []string{"CMD-SHELL", ""}}, {Test: []string{"NONE", "x"}},
		{Interval: -time.Second}, {Timeout: time.Microsecond}, {StartPeriod: -1}, {StartInterval: 999 * time.Microsecond}, {Retries: -1},
	} {
		if _, err := containerHealthcheck(&bad, img); !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "health check") {
			t.Errorf("%+v: error %v, want ErrInvalidArgument naming the health check", bad, err)
		}
	}
	if _, err := containerHealthcheck(nil, &image.Healthcheck{Test: []string{"WHAT", "x"}}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("an image's unknown test type: error %v, want ErrInvalidArgument", err)
	}
}

// TestHealthArgv checks the commands of the two forms: CMD-SHELL runs by
// the container's shell (Config.Shell), else /bin/sh -c; CMD ignores it.
func TestHealthArgv(t *testing.T) {
	shellCheck := &api.HealthConfig{Test: []string{"CMD-SHELL", "a && b"}}
	if got := healthArgv(shellCheck, nil); !reflect.DeepEqual(got, []string{"/bin/sh", "-c", "a && b"}) {
		t.Errorf("CMD-SHELL: %q", got)
	}
	bash := []string{"/bin/bash", "-o", "pipefail", "-c"}
	if got := healthArgv(shellCheck, bash); !reflect.DeepEqual(got, []string{"/bin/bash", "-o", "pipefail", "-c", "a && b"}) {
		t.Errorf("CMD-SHELL with Shell %q: %q", bash, got)
	}
	if got := healthArgv(&api.HealthConfig{Test: []string{"CMD", "/bin/x", "y"}}, bash); !reflect.DeepEqual(got, []string{"/bin/x", "y"}) {
		t.Errorf("CMD: %q", got)
	}
}

// TestContainerShell checks Docker's merge of Config.Shell: the request's
// over the image's, neither giving nil (/bin/sh -c).
func TestContainerShell(t *testing.T) {
	img := []string{"/bin/sh", "-xc"}
	for _, tc := range []struct {
		name     string
		req, img []string
		want     []string
		bad      bool
	}{
		{"neither", nil, nil, nil, false},
		{"image's", nil, img, img, false},
		{"request's over the image's", []string{"/bin/ash", "-c"}, img, []string{"/bin/ash", "-c"}, false},
		{"empty program", []string{"", "-c"}, img, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := containerShell(tc.req, tc.img)
			if tc.bad {
				if !errors.Is(err, errdefs.ErrInvalidArgument) {
					t.Fatalf("got %q, %v; want ErrInvalidArgument", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestLimitedBuffer checks that the first 4 KiB are kept and "..." marks
// the rest.
func TestLimitedBuffer(t *testing.T) {
	var b limitedBuffer
	b.Write([]byte("short"))
	if b.String() != "short" {
		t.Errorf("got %q", b.String())
	}
	chunk := strings.Repeat("x", 1000)
	for range 10 {
		if n, err := b.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write returned %d, %v: it must take everything", n, err)
		}
	}
	if got := b.String(); len(got) != maxHealthOutput+3 || !strings.HasPrefix(got, "shortxxx") || !strings.HasSuffix(got, "x...") {
		t.Errorf("kept %d bytes (%.10q...)", len(got), got)
	}
}

// TestHealthStatusText checks ps's status suffixes and filter values.
func TestHealthStatusText(t *testing.T) {
	now := time.Now()
	r := &record{State: runState{Status: StateRunning, StartedAt: now.Add(-3 * time.Minute)}}
	if got := statusText(r, now); got != "Up 3 minutes" {
		t.Errorf("without a check: %q", got)
	}
	if got := healthStatus(r); got != api.HealthNone {
		t.Errorf("filter value without a check: %q", got)
	}
	r.Healthcheck = &api.HealthConfig{Test: []string{"CMD", "x"}}
	for status, want := range map[string]string{
		api.HealthStarting: "Up 3 minutes (health: starting)", api.HealthHealthy: "Up 3 minutes (healthy)", api.HealthUnhealthy: "Up 3 minutes (unhealthy)",
	} {
		r.State.Health = &api.Health{Status: status}
		if got := statusText(r, now); got != want {
			t.Errorf("%s: %q, want %q", status, got, want)
		}
		if got := healthStatus(r); got != status {
			t.Errorf("filter value %q, want %q", got, status)
		}
	}
	r.State.Status = StatePaused
	if got := statusText(r, now); got != "Up 3 minutes (Paused)" {
		t.Errorf("paused: %q", got)
	}
}

// TestSummaryHealth: a list entry carries the check's status and failing
// streak while the container runs (or is paused), none otherwise.
func TestSummaryHealth(t *testing.T) {
	now := time.Now()
	r := &record{State: runState{Status: StateRunning, StartedAt: now.Add(-time.Minute),
		Health: &api.Health{Status: api.HealthUnhealthy, FailingStreak: 4}}}
	if got := summary(r, now).Health; got != nil {
		t.Errorf("without a check: %+v", got)
	}
	r.Healthcheck = &api.HealthConfig{Test: []string{"CMD-SHELL", "true"}}
	for status, want := range map[string]bool{StateRunning: true, StatePaused: true, StateExited: false, StateCreated: false} {
		r.State.Status = status
		got := summary(r, now).Health
		if want && (got == nil || *got != api.HealthSummary{Status: api.HealthUnhealthy, FailingStreak: 4}) {
			t.Errorf("%s: Health %+v, want unhealthy with a streak of 4", status, got)
		}
		if !want && got != nil {
			t.Errorf("%s: Health %+v, want none", status, got)
		}
	}
}
