package docker

import (
	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// toHealthcheck maps Config.Healthcheck (HEALTHCHECK overrides, ["NONE"]
// turns the image's off); the container service checks the values.
func toHealthcheck(h *container.HealthConfig) (*api.HealthConfig, error) {
	if h == nil {
		return nil, nil
	}
	if h.Interval < 0 || h.Timeout < 0 || h.StartPeriod < 0 || h.StartInterval < 0 || h.Retries < 0 {
		return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "Config.Healthcheck: durations and retries must not be negative")
	}
	return &api.HealthConfig{
		Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod,
		StartInterval: h.StartInterval, Retries: h.Retries,
	}, nil
}

// healthConfigOf is inspect's Config.Healthcheck: the check in effect.
func healthConfigOf(h *api.HealthConfig) *container.HealthConfig {
	if h == nil {
		return nil
	}
	return &container.HealthConfig{
		Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod,
		StartInterval: h.StartInterval, Retries: h.Retries,
	}
}

// healthSummaryOf is a list entry's Health, which Docker sends from API
// 1.52 on: the check's status and failing streak while the container
// runs, "none" for one without a check or not running.
func healthSummaryOf(h *api.HealthSummary, version string) *container.HealthSummary {
	if compareVersions(version, "1.52") < 0 {
		return nil
	}
	if h == nil {
		return &container.HealthSummary{Status: container.NoHealthcheck}
	}
	return &container.HealthSummary{Status: container.HealthStatus(h.Status), FailingStreak: h.FailingStreak}
}

// healthOf is inspect's State.Health.
func healthOf(h *api.Health) *container.Health {
	if h == nil {
		return nil
	}
	out := &container.Health{Status: container.HealthStatus(h.Status), FailingStreak: h.FailingStreak,
		Log: make([]*container.HealthcheckResult, 0, len(h.Log))}
	for _, r := range h.Log {
		out.Log = append(out.Log, &container.HealthcheckResult{Start: r.Start, End: r.End, ExitCode: r.ExitCode, Output: r.Output})
	}
	return out
}
