package container

import (
	"slices"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// applyHealthResult returns the health after one check's result, as
// Docker's handleProbeResult: a success makes the container healthy and
// ends the failing streak; a failure lengthens the streak (except while
// the container is still starting within its start period) and, at
// retries failures in a row, makes it unhealthy. The log keeps the last
// maxHealthLog results. h is not changed (readers may hold it).
func applyHealthResult(h *api.Health, t healthTimings, startedAt time.Time, res api.HealthResult) *api.Health {
	next := &api.Health{Status: api.HealthStarting}
	if h != nil {
		next.Status, next.FailingStreak = h.Status, h.FailingStreak
		next.Log = slices.Clone(h.Log)
	}
	next.Log = append(next.Log, res)
	if n := len(next.Log); n > maxHealthLog {
		next.Log = slices.Clone(next.Log[n-maxHealthLog:])
	}
	if res.ExitCode == 0 {
		next.FailingStreak = 0
		next.Status = api.HealthHealthy
		return next
	}
	if next.Status == api.HealthStarting && res.Start.Sub(startedAt) < t.startPeriod {
		return next
	}
	next.FailingStreak++
	if next.FailingStreak >= t.retries {
		next.Status = api.HealthUnhealthy
	}
	return next
}

// nextHealthCheck is the wait before the next check: the start interval
// while the container is starting within its start period, the interval
// otherwise (Docker's getInterval).
func nextHealthCheck(t healthTimings, status string, startedAt, now time.Time) time.Duration {
	if now.Sub(startedAt) < t.startPeriod && status == api.HealthStarting {
		return t.startInterval
	}
	return t.interval
}

// healthSuffix is what ps adds to "Up 3 minutes" for a running container
// with a health check: " (healthy)", " (unhealthy)", " (health: starting)".
func healthSuffix(h *api.Health) string {
	switch {
	case h == nil:
		return ""
	case h.Status == api.HealthStarting:
		return " (health: starting)"
	}
	return " (" + h.Status + ")"
}

// healthStatus is the ps filter's view of a container's health: its
// status, or none without a health check.
func healthStatus(r *record) string {
	if r.State.Health == nil || !healthEnabled(r.Healthcheck) {
		return api.HealthNone
	}
	return r.State.Health.Status
}

// limitedBuffer keeps the first maxHealthOutput bytes written to it and
// notes that more came, as Docker's health check output buffer.
type limitedBuffer struct {
	mu        sync.Mutex
	buf       []byte
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	keep := min(maxHealthOutput-len(b.buf), len(p))
	if keep > 0 {
		b.buf = append(b.buf, p[:keep]...)
	}
	if keep < len(p) {
		b.truncated = true
	}
	return len(p), nil
}

// String is the output kept, with "..." when some was dropped.
func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.truncated {
		return string(b.buf) + "..."
	}
	return string(b.buf)
}

// healthFilterValues are the values of ps's health filter (Docker's).
var healthFilterValues = []string{api.HealthStarting, api.HealthHealthy, api.HealthUnhealthy, api.HealthNone}
