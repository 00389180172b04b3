package container

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestParseDeviceCgroupRule: a rule is taken exactly as written, and
// anything looser (extra spaces, repeated access, type a with numbers,
// which the kernel reads as every device) is refused.
func TestParseDeviceCgroupRule(t *testing.T) {
	for in, want := range map[string]string{
		"c 1:3 rwm": "c 1 3 rwm", "b 8:* r": "b 8 * r", "c *:* m": "c * * m", "a *:* rwm": "a * * rwm", "c 10:200 wr": "c 10 200 wr",
	} {
		r, err := parseDeviceCgroupRule(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		num := func(p *int64) string {
			if p == nil {
				return "*"
			}
			return strconv.FormatInt(*p, 10)
		}
		if got := r.Type + " " + num(r.Major) + " " + num(r.Minor) + " " + r.Access; got != want || !r.Allow {
			t.Errorf("%q: got %q (allow %v), want %q", in, got, r.Allow, want)
		}
	}
	for _, in := range []string{
		"", "c 1:3", "c 1:3 rwx", "c 1:3 rr", "c  1:3 rwm", "c 1:3 rwm ", " c 1:3 rwm", "x 1:3 rwm", "c 1 3 rwm",
		"a 1:3 r", "a *:3 r", "a 1:* rwm", "c -1:3 r", "c 99999999999:1 r", "c 1:3 rwm\nc *:* rwm", "C 1:3 r",
	} {
		if _, err := parseDeviceCgroupRule(in); !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "device cgroup rule") {
			t.Errorf("%q: %v, want ErrInvalidArgument naming the rule", in, err)
		}
	}
}

// FuzzDeviceCgroupRule: no input panics the parser, and an accepted rule
// never says "every device" unless written 'a *:* ...'.
func FuzzDeviceCgroupRule(f *testing.F) {
	for _, s := range []string{"c 1:3 rwm", "a *:* r", "a 1:3 r", "b 8:* rw", "c *:* m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseDeviceCgroupRule(s)
		if err != nil {
			return
		}
		if r.Type == "a" && !strings.HasPrefix(s, "a *:* ") {
			t.Fatalf("%q was taken as every device", s)
		}
		if r.Access == "" || len(r.Access) > 3 || !r.Allow {
			t.Fatalf("%q gave %+v", s, r)
		}
	})
}
