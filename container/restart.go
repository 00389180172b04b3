package container

import (
	"fmt"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// restartPolicy is a validated api.RestartPolicy.
type restartPolicy struct {
	name string // "no", "on-failure", "always", "unless-stopped"
	max  int    // on-failure's retry limit; 0: unlimited
}

func parseRestartPolicy(p api.RestartPolicy) (restartPolicy, error) {
	switch p.Name {
	case "", "no":
		return restartPolicy{name: "no"}, nil
	case "on-failure":
		if p.MaximumRetryCount < 0 {
			return restartPolicy{}, fmt.Errorf("restart policy on-failure: negative retry count %d: %w", p.MaximumRetryCount, errdefs.ErrInvalidArgument)
		}
		return restartPolicy{name: p.Name, max: p.MaximumRetryCount}, nil
	case "always", "unless-stopped":
		if p.MaximumRetryCount != 0 {
			return restartPolicy{}, fmt.Errorf("restart policy %s takes no retry count: %w", p.Name, errdefs.ErrInvalidArgument)
		}
		return restartPolicy{name: p.Name}, nil
	}
	return restartPolicy{}, fmt.Errorf("restart policy %q: want no, on-failure[:N], always or unless-stopped: %w", p.Name, errdefs.ErrInvalidArgument)
}

// shouldRestart decides, after an exit with code, whether the policy
// restarts a container that has been restarted count times. A container
// stopped by the user is never restarted.
func (p restartPolicy) shouldRestart(code, count int, stoppedByUser bool) bool {
	if stoppedByUser {
		return false
	}
	switch p.name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return code != 0 && (p.max == 0 || count < p.max)
	}
	return false
}

// restartsAtDaemonStart decides whether a container that is not running
// when the daemon starts is started by its policy. Here always and
// unless-stopped differ, as Docker defines them: stop ends an always
// container's restarts only until the daemon restarts, then it runs
// again; an unless-stopped container the user stopped stays stopped.
// Either is started when it ended while no daemon could restart it.
func (p restartPolicy) restartsAtDaemonStart(stoppedByUser bool) bool {
	switch p.name {
	case "always":
		return true
	case "unless-stopped":
		return !stoppedByUser
	}
	return false
}

// Backoff between restarts: doubling from 100 ms up to a minute, and
// reset when the container had run for at least resetAfter.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = time.Minute
	resetAfter = 10 * time.Second
)

// restartDelay is the wait before restart number count+1.
func restartDelay(count int) time.Duration {
	d := backoffMin
	for i := 0; i < count && d < backoffMax; i++ {
		d *= 2
	}
	return min(d, backoffMax)
}
