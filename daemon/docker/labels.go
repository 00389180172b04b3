package docker

import "strings"

// hasLabels reports whether labels hold every one of want, each a KEY (the
// label is set) or KEY=VALUE (set to VALUE): Docker's label filter, whose
// values must all hold, unlike other filters' alternatives.
func hasLabels(labels map[string]string, want []string) bool {
	for _, w := range want {
		key, val, hasVal := strings.Cut(w, "=")
		got, present := labels[key]
		if !present || hasVal && got != val {
			return false
		}
	}
	return true
}
