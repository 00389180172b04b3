package main

import (
	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/image"
)

// apiHealthcheck is an image's HEALTHCHECK on the wire (nil without one).
func apiHealthcheck(h *image.Healthcheck) *api.HealthConfig {
	if h == nil {
		return nil
	}
	return &api.HealthConfig{
		Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
		StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries,
	}
}
