package image

import (
	"slices"
	"time"
)

// Healthcheck is Docker's image config field config.Healthcheck (the
// HEALTHCHECK instruction), which the OCI image config does not have:
// how to tell that a container of the image works. Its JSON is Docker's,
// durations in nanoseconds.
type Healthcheck struct {
	// Test is ["NONE"] (no check, overriding the parent's), ["CMD", argv...]
	// or ["CMD-SHELL", "command line"]; empty inherits.
	Test []string `json:",omitempty"`
	// Interval is the time between checks; Timeout how long one may run;
	// StartPeriod how long failures do not count after a start, during
	// which checks run every StartInterval. Zero means the default.
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	// Retries is how many failures in a row make the container unhealthy
	// (0: the default).
	Retries int `json:",omitempty"`
}

// Clone returns a copy of h that shares nothing with it (nil for nil).
func (h *Healthcheck) Clone() *Healthcheck {
	if h == nil {
		return nil
	}
	c := *h
	c.Test = slices.Clone(h.Test)
	return &c
}
