package builder

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/container-runtime/container-runtime/image"
)

// parseHealthchecks parses a Dockerfile and returns the health check of
// each HEALTHCHECK line, in order.
func parseHealthchecks(t testing.TB, text string) []*image.Healthcheck {
	t.Helper()
	df, err := parseDockerfile("Dockerfile", strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing:\n%s\n%v", text, err)
	}
	var out []*image.Healthcheck
	for _, s := range df.stages {
		for _, c := range s.Commands {
			if hc, ok := c.(*instructions.HealthCheckCommand); ok {
				out = append(out, healthcheckOf(hc))
			}
		}
	}
	return out
}

// TestHealthcheckParse checks the forms and flags of HEALTHCHECK as Docker
// stores them in the image config: the shell form becomes CMD-SHELL with
// the line, the exec form CMD with the argv, NONE stays NONE; durations in
// nanoseconds, unset ones zero (the defaults apply at run time).
func TestHealthcheckParse(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       image.Healthcheck
		text       string
	}{
		{"shell form", `HEALTHCHECK CMD curl -f http://localhost/ || exit 1`,
			image.Healthcheck{Test: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}},
			`HEALTHCHECK CMD-SHELL ["curl -f http://localhost/ || exit 1"]`},
		{"exec form", `HEALTHCHECK CMD ["/bin/check", "--quick"]`,
			image.Healthcheck{Test: []string{"CMD", "/bin/check", "--quick"}},
			`HEALTHCHECK CMD ["/bin/check","--quick"]`},
		{"every flag", `HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=2s --retries=4 CMD true`,
			image.Healthcheck{Test: []string{"CMD-SHELL", "true"}, Interval: 5 * time.Minute, Timeout: 3 * time.Second,
				StartPeriod: 90 * time.Second, StartInterval: 2 * time.Second, Retries: 4},
			`HEALTHCHECK --interval=5m0s --timeout=3s --start-period=1m30s --start-interval=2s --retries=4 CMD-SHELL ["true"]`},
		{"zero duration is the default", `HEALTHCHECK --interval=0s --retries=0 CMD true`,
			image.Healthcheck{Test: []string{"CMD-SHELL", "true"}},
			`HEALTHCHECK CMD-SHELL ["true"]`},
		{"none", `HEALTHCHECK NONE`, image.Healthcheck{Test: []string{"NONE"}}, `HEALTHCHECK NONE`},
		{"lower case", `healthcheck --interval=1ms cmd ["true"]`,
			image.Healthcheck{Test: []string{"CMD", "true"}, Interval: time.Millisecond},
			`HEALTHCHECK --interval=1ms CMD ["true"]`},
		{"continuation", "HEALTHCHECK --interval=2s \\\n  CMD test -f /ready",
			image.Healthcheck{Test: []string{"CMD-SHELL", "test -f /ready"}, Interval: 2 * time.Second},
			`HEALTHCHECK --interval=2s CMD-SHELL ["test -f /ready"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseHealthchecks(t, "FROM base\n"+tc.line+"\n")
			if len(got) != 1 {
				t.Fatalf("%d health checks, want 1", len(got))
			}
			if !reflect.DeepEqual(*got[0], tc.want) {
				t.Errorf("got %+v, want %+v", *got[0], tc.want)
			}
			if text := healthcheckText(got[0]); text != tc.text {
				t.Errorf("text %q, want %q", text, tc.text)
			}
		})
	}
}

// TestHealthcheckTextDiffers checks that checks differing in any field
// get different history lines, which are their cache keys.
func TestHealthcheckTextDiffers(t *testing.T) {
	base := image.Healthcheck{Test: []string{"CMD", "a"}}
	variants := []image.Healthcheck{base}
	for _, change := range []func(h *image.Healthcheck){
		func(h *image.Healthcheck) { h.Test = []string{"CMD-SHELL", "a"} },
		func(h *image.Healthcheck) { h.Test = []string{"CMD", "a", "b"} },
		func(h *image.Healthcheck) { h.Interval = time.Second },
		func(h *image.Healthcheck) { h.Timeout = time.Second },
		func(h *image.Healthcheck) { h.StartPeriod = time.Second },
		func(h *image.Healthcheck) { h.StartInterval = time.Second },
		func(h *image.Healthcheck) { h.Retries = 1 },
	} {
		v := *base.Clone()
		change(&v)
		variants = append(variants, v)
	}
	seen := map[string]int{}
	for i, v := range variants {
		text := healthcheckText(&v)
		if j, dup := seen[text]; dup {
			t.Errorf("variants %d and %d both read %q", j, i, text)
		}
		seen[text] = i
	}
}
