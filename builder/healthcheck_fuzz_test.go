package builder

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/container-runtime/container-runtime/errdefs"
)

// FuzzHealthcheck parses `HEALTHCHECK <input>` lines. A line that parses
// must give a health check a container can run: Test is NONE alone, or
// CMD or CMD-SHELL with a command; durations are zero (the default) or at
// least 1ms; retries are not negative; its history text names it. A line
// that fails must fail with an *Error at a line of the file, tagged
// ErrInvalidArgument.
func FuzzHealthcheck(f *testing.F) {
	for _, seed := range []string{
		"CMD true", `CMD ["/bin/check", "-q"]`, "NONE", "--interval=5s --timeout=1s --retries=3 CMD curl -f localhost",
		"--start-period=1m --start-interval=1s CMD [\"true\"]", "--interval=0 CMD x", "--retries=-1 CMD x",
		"--interval=1us CMD x", "NONE x", "CMD", "RUN x", "--interval=5s \\\n CMD x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		text := "FROM base\nHEALTHCHECK " + line + "\n"
		df, err := parseDockerfile("Dockerfile", strings.NewReader(text))
		if err != nil {
			var located *Error
			if !errors.As(err, &located) || located.Line < 1 || located.Line > strings.Count(text, "\n")+1 {
				t.Fatalf("error without a line of the file: %v", err)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("error is not ErrInvalidArgument: %v", err)
			}
			return
		}
		for _, s := range df.stages {
			for _, c := range s.Commands {
				hc, ok := c.(*instructions.HealthCheckCommand)
				if !ok {
					continue
				}
				h := healthcheckOf(hc)
				switch {
				case len(h.Test) == 1 && h.Test[0] == "NONE":
				case len(h.Test) >= 2 && (h.Test[0] == "CMD" || h.Test[0] == "CMD-SHELL"):
				default:
					t.Fatalf("HEALTHCHECK %q gave Test %q", line, h.Test)
				}
				for _, d := range []time.Duration{h.Interval, h.Timeout, h.StartPeriod, h.StartInterval} {
					if d != 0 && d < time.Millisecond {
						t.Fatalf("HEALTHCHECK %q gave a duration of %v", line, d)
					}
				}
				if h.Retries < 0 {
					t.Fatalf("HEALTHCHECK %q gave %d retries", line, h.Retries)
				}
				if !strings.HasPrefix(healthcheckText(h), "HEALTHCHECK ") {
					t.Fatalf("history text %q", healthcheckText(h))
				}
			}
		}
	})
}
