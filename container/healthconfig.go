package container

import (
	"fmt"
	"slices"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// Docker's health check defaults and bounds (moby daemon/health.go).
const (
	defaultHealthInterval      = 30 * time.Second
	defaultHealthTimeout       = 30 * time.Second
	defaultHealthStartInterval = 5 * time.Second
	defaultHealthRetries       = 3
	// minHealthDuration is the least non-zero duration a check accepts.
	minHealthDuration = time.Millisecond
	// maxHealthLog is how many results a container keeps.
	maxHealthLog = 5
	// maxHealthOutput bounds the output kept of one check.
	maxHealthOutput = 4096
)

// containerHealthcheck returns the health check a container runs: the
// request's non-zero fields over the image's HEALTHCHECK, as Docker merges
// them; nil when neither has one. A Test of ["NONE"] is kept (it shows in
// inspect) and runs nothing.
func containerHealthcheck(req *api.HealthConfig, img *image.Healthcheck) (*api.HealthConfig, error) {
	if req != nil {
		if err := checkHealthConfig(req, "health check"); err != nil {
			return nil, err
		}
	}
	var out *api.HealthConfig
	if img != nil {
		out = &api.HealthConfig{
			Test: slices.Clone(img.Test), Interval: img.Interval, Timeout: img.Timeout,
			StartPeriod: img.StartPeriod, StartInterval: img.StartInterval, Retries: img.Retries,
		}
	}
	if req != nil {
		if out == nil {
			out = &api.HealthConfig{}
		}
		if len(req.Test) > 0 {
			out.Test = slices.Clone(req.Test)
		}
		for _, f := range []struct{ dst, src *time.Duration }{
			{&out.Interval, &req.Interval}, {&out.Timeout, &req.Timeout},
			{&out.StartPeriod, &req.StartPeriod}, {&out.StartInterval, &req.StartInterval},
		} {
			if *f.src != 0 {
				*f.dst = *f.src
			}
		}
		if req.Retries != 0 {
			out.Retries = req.Retries
		}
	}
	if out == nil || len(out.Test) == 0 {
		// Flags without a command and an image without a check:
		// nothing to run, as in Docker.
		return nil, nil
	}
	if err := checkHealthConfig(out, "the image's health check"); err != nil {
		return nil, err
	}
	return out, nil
}

// checkHealthConfig refuses what Docker's daemon refuses: an unknown test
// type, a command missing, negative retries, durations below 1ms other than
// zero (the default).
func checkHealthConfig(h *api.HealthConfig, what string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s: %w", what, fmt.Sprintf(format, args...), errdefs.ErrInvalidArgument)
	}
	if len(h.Test) > 0 {
		switch h.Test[0] {
		case "NONE":
			if len(h.Test) != 1 {
				return bad("NONE takes no command: %q", h.Test)
			}
		case "CMD", "CMD-SHELL":
			if len(h.Test) < 2 || h.Test[1] == "" {
				return bad("%s without a command", h.Test[0])
			}
		default:
			return bad("unknown test type %q (want CMD, CMD-SHELL or NONE)", h.Test[0])
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start period", h.StartPeriod}, {"start interval", h.StartInterval}} {
		if d.v < 0 {
			return bad("%s %v cannot be negative", d.name, d.v)
		}
		if d.v > 0 && d.v < minHealthDuration {
			return bad("%s %v cannot be less than %v", d.name, d.v, minHealthDuration)
		}
	}
	if h.Retries < 0 {
		return bad("retries %d cannot be negative", h.Retries)
	}
	return nil
}

// healthEnabled tells whether h makes checks run.
func healthEnabled(h *api.HealthConfig) bool {
	return h != nil && len(h.Test) > 1 && (h.Test[0] == "CMD" || h.Test[0] == "CMD-SHELL")
}

// containerShell is a container's Config.Shell: the request's, else the
// image's SHELL, as Docker merges them; nil for /bin/sh -c.
func containerShell(req, img []string) ([]string, error) {
	if len(req) == 0 {
		return slices.Clone(img), nil
	}
	if req[0] == "" {
		return nil, fmt.Errorf("shell %q: the program is empty: %w", req, errdefs.ErrInvalidArgument)
	}
	return slices.Clone(req), nil
}

// healthArgv is the command of a check: CMD's argv, or CMD-SHELL's line
// run by the container's shell (its Config.Shell, from the image's SHELL),
// else /bin/sh -c, as Docker's getShell does.
func healthArgv(h *api.HealthConfig, shell []string) []string {
	if h.Test[0] == "CMD-SHELL" {
		if len(shell) == 0 {
			shell = []string{"/bin/sh", "-c"}
		}
		return append(slices.Clone(shell), h.Test[1:]...)
	}
	return slices.Clone(h.Test[1:])
}

// imageHealthcheck is the image form of a container's check in effect,
// which a commit keeps (nil for nil).
func imageHealthcheck(h *api.HealthConfig) *image.Healthcheck {
	if h == nil {
		return nil
	}
	return &image.Healthcheck{
		Test: slices.Clone(h.Test), Interval: h.Interval, Timeout: h.Timeout,
		StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries,
	}
}

// healthTimings are a check's durations with the defaults applied.
type healthTimings struct {
	interval, timeout, startPeriod, startInterval time.Duration
	retries                                       int
}

func timingsOf(h *api.HealthConfig) healthTimings {
	or := func(v, def time.Duration) time.Duration {
		if v == 0 {
			return def
		}
		return v
	}
	t := healthTimings{
		interval: or(h.Interval, defaultHealthInterval), timeout: or(h.Timeout, defaultHealthTimeout),
		startPeriod: h.StartPeriod, startInterval: or(h.StartInterval, defaultHealthStartInterval),
		retries: h.Retries,
	}
	if t.retries == 0 {
		t.retries = defaultHealthRetries
	}
	return t
}
