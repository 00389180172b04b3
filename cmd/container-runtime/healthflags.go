package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

// healthFlags are run's and create's health check flags, Docker's: they
// override fields of the image's HEALTHCHECK; --no-healthcheck turns it
// off.
type healthFlags struct {
	cmd           string
	interval      time.Duration
	timeout       time.Duration
	startPeriod   time.Duration
	startInterval time.Duration
	retries       int
	none          bool
}

// addFlags registers the flags on fs.
func (h *healthFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&h.cmd, "health-cmd", "", "command to run to check health (run by /bin/sh -c in the container)")
	fs.DurationVar(&h.interval, "health-interval", 0, "time between running the check (ms|s|m|h) (default 30s)")
	fs.DurationVar(&h.timeout, "health-timeout", 0, "maximum time to allow one check to run (ms|s|m|h) (default 30s)")
	fs.DurationVar(&h.startPeriod, "health-start-period", 0, "start period for the container to initialize before failed checks count (ms|s|m|h) (default 0s)")
	fs.DurationVar(&h.startInterval, "health-start-interval", 0, "time between running the check during the start period (ms|s|m|h) (default 5s)")
	fs.IntVar(&h.retries, "health-retries", 0, "consecutive failures needed to report unhealthy (default 3)")
	fs.BoolVar(&h.none, "no-healthcheck", false, "disable any container-specified HEALTHCHECK")
}

// config is the request's health check: nil when no flag was given.
func (h *healthFlags) config() (*api.HealthConfig, error) {
	set := h.cmd != "" || h.interval != 0 || h.timeout != 0 || h.startPeriod != 0 || h.startInterval != 0 || h.retries != 0
	if h.none {
		if set {
			return nil, errors.New("--no-healthcheck conflicts with --health-* options")
		}
		return &api.HealthConfig{Test: []string{"NONE"}}, nil
	}
	if !set {
		return nil, nil
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"interval", h.interval}, {"timeout", h.timeout}, {"start-period", h.startPeriod}, {"start-interval", h.startInterval}} {
		if d.v < 0 {
			return nil, fmt.Errorf("--health-%s cannot be negative", d.flag)
		}
	}
	if h.retries < 0 {
		return nil, errors.New("--health-retries cannot be negative")
	}
	c := &api.HealthConfig{
		Interval: h.interval, Timeout: h.timeout, StartPeriod: h.startPeriod,
		StartInterval: h.startInterval, Retries: h.retries,
	}
	if h.cmd != "" {
		c.Test = []string{"CMD-SHELL", h.cmd}
	}
	return c, nil
}
