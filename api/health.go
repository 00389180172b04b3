package api

import "time"

// The health statuses of a container with a health check (Docker's).
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	// HealthNone is the ps filter's value for a container without one.
	HealthNone = "none"
)

// HealthConfig is a container's health check (Docker's
// Config.Healthcheck): the request's flags over the image's HEALTHCHECK.
// A zero field takes the image's value, then the default.
type HealthConfig struct {
	// Test is ["NONE"] (no check), ["CMD", argv...] or ["CMD-SHELL",
	// "command line"] (run by /bin/sh -c); empty keeps the image's.
	Test []string `json:"test,omitempty"`
	// Interval between checks (default 30s); Timeout of one check
	// (default 30s); StartPeriod after a start during which failures do
	// not count (default 0), and in which checks run every StartInterval
	// (default 5s) until one succeeds.
	Interval      time.Duration `json:"interval,omitempty"`
	Timeout       time.Duration `json:"timeout,omitempty"`
	StartPeriod   time.Duration `json:"startPeriod,omitempty"`
	StartInterval time.Duration `json:"startInterval,omitempty"`
	// Retries is how many failures in a row make the container unhealthy
	// (default 3).
	Retries int `json:"retries,omitempty"`
}

// Health is how a container's health check stands (Docker's
// State.Health).
type Health struct {
	// Status is starting, healthy or unhealthy.
	Status string `json:"status"`
	// FailingStreak counts the failed checks since the last success.
	FailingStreak int `json:"failingStreak"`
	// Log holds the last 5 checks, oldest first.
	Log []HealthResult `json:"log"`
}

// HealthSummary is how a container's health check stands, in a list
// (Docker's container.Summary.Health): Health without the log.
type HealthSummary struct {
	// Status is starting, healthy or unhealthy.
	Status string `json:"status"`
	// FailingStreak counts the failed checks since the last success.
	FailingStreak int `json:"failingStreak"`
}

// HealthResult is one check: its times, exit code (-1: it could not run
// or exceeded its timeout) and the first 4 KiB of its output (stdout and
// stderr).
type HealthResult struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	ExitCode int       `json:"exitCode"`
	Output   string    `json:"output"`
}
