package api

import "time"

// CreatedRange is the before/since part of Docker's list filters
// (containers and images alike): what passes was created strictly after
// Since and strictly before Before, each bound optional.
type CreatedRange struct {
	Before, Since *time.Time
}

// Bound sets the bound key names ("before" or "since") to t, the creation
// time of the container or image the filter's value named.
func (c *CreatedRange) Bound(key string, t time.Time) {
	if key == "before" {
		c.Before = &t
	} else {
		c.Since = &t
	}
}

// Holds reports whether something created at created passes.
func (c CreatedRange) Holds(created time.Time) bool {
	return (c.Before == nil || created.Before(*c.Before)) && (c.Since == nil || created.After(*c.Since))
}
