package daemon

import (
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestEventFilterAction checks the event filter as Docker reads it: an
// action matches itself, and the name of an action with a detail
// (health_status) matches every detail.
func TestEventFilterAction(t *testing.T) {
	for _, tc := range []struct {
		filter, action string
		want           bool
	}{
		{"", "die", true},
		{"die", "die", true},
		{"die", "start", false},
		{"health_status", "health_status: healthy", true},
		{"health_status: healthy", "health_status: healthy", true},
		{"health_status: healthy", "health_status: unhealthy", false},
		{"health", "health_status: healthy", false},
	} {
		if got := (eventFilter{action: tc.filter}).match(api.Event{Action: tc.action}); got != tc.want {
			t.Errorf("filter %q on %q: %v, want %v", tc.filter, tc.action, got, tc.want)
		}
	}
}
