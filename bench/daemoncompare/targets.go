package main

import (
	"fmt"
	"time"
)

// target is one of issue 13's goals: ours at most max times the peer.
type target struct {
	ours, peer string
	max        float64
}

// verdict says how ours (a median) stands against peer's and the target:
// "ours / peer: 0.93× (target ≤ 1.0×: met)". A missing median (0) says
// so rather than dividing by it.
func (t target) verdict(ours, peer time.Duration) string {
	head := fmt.Sprintf("%s / %s: ", t.ours, t.peer)
	if ours <= 0 || peer <= 0 {
		return head + fmt.Sprintf("no ratio (a median is missing; target ≤ %.1f×)", t.max)
	}
	r := float64(ours) / float64(peer)
	met := "met"
	if r > t.max {
		met = "NOT met"
	}
	return head + fmt.Sprintf("%s× (target ≤ %.1f×: %s)", ratioOf(ours, peer), t.max, met)
}
