package builder

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/image"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// healthcheckStep sets the image's health check (HEALTHCHECK), replacing
// the one inherited through FROM, as Docker does. HEALTHCHECK NONE is kept
// as Test ["NONE"], so that it also turns off the base's check in the
// containers of this image and in images built FROM it. buildkit's parser
// has already checked the flags (durations of at least 1ms or 0, retries
// not negative) and the form.
func (s *stageRun) healthcheckStep(ctx context.Context, text string, c *instructions.HealthCheckCommand) error {
	hc := healthcheckOf(c)
	instruction := healthcheckText(hc)
	return s.runStep(ctx, step{text: text, in: stepInputs{Instruction: instruction}, exec: func(context.Context) error {
		s.state.Healthcheck = hc.Clone()
		s.state.addHistory(instruction, true, time.Now())
		return nil
	}})
}

// healthcheckOf converts buildkit's parsed HEALTHCHECK to the image's
// field (the same fields and units: Docker's).
func healthcheckOf(c *instructions.HealthCheckCommand) *image.Healthcheck {
	h := c.Health
	return &image.Healthcheck{
		Test:          slices.Clone(h.Test),
		Interval:      h.Interval,
		Timeout:       h.Timeout,
		StartPeriod:   h.StartPeriod,
		StartInterval: h.StartInterval,
		Retries:       h.Retries,
	}
}

// healthcheckText renders a health check for the history and the cache
// key: every field that is set, so that two checks that differ never
// share a cache entry. `HEALTHCHECK --interval=5s --retries=2 CMD-SHELL
// ["curl -f http://localhost/"]`, `HEALTHCHECK NONE`.
func healthcheckText(h *image.Healthcheck) string {
	if len(h.Test) == 0 || h.Test[0] == "NONE" {
		return "HEALTHCHECK NONE"
	}
	var b strings.Builder
	b.WriteString("HEALTHCHECK")
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start-period", h.StartPeriod}, {"start-interval", h.StartInterval}} {
		if d.v != 0 {
			b.WriteString(" --" + d.flag + "=" + d.v.String())
		}
	}
	if h.Retries != 0 {
		b.WriteString(" --retries=" + strconv.Itoa(h.Retries))
	}
	b.WriteString(" " + h.Test[0] + " " + jsonString(h.Test[1:]))
	return b.String()
}
