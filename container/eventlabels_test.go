package container

import (
	"maps"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestWithLabels(t *testing.T) {
	labels := map[string]string{"com.docker.compose.project": "p", "signal": "label's"}
	for _, tc := range []struct {
		name   string
		attrs  map[string]string
		labels map[string]string
		want   map[string]string
	}{
		{"no labels", nil, nil, nil},
		{"labels only", nil, labels, labels},
		{"the event's own attribute wins", map[string]string{"signal": "9"}, labels,
			map[string]string{"com.docker.compose.project": "p", "signal": "9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := api.Event{Attributes: maps.Clone(tc.attrs)}
			withLabels(&e, tc.labels)
			if !maps.Equal(e.Attributes, tc.want) {
				t.Errorf("attributes %v, want %v", e.Attributes, tc.want)
			}
		})
	}
	// The container's labels are not shared with the event.
	e := api.Event{}
	withLabels(&e, labels)
	e.Attributes["x"] = "y"
	if _, ok := labels["x"]; ok {
		t.Error("the event's attributes are the container's labels map")
	}
}
