package main

import (
	"slices"
	"strings"
	"testing"
)

// TestParseExpose: a port, a range and protocols, as Docker's --expose.
func TestParseExpose(t *testing.T) {
	for in, want := range map[string][]string{
		"80": {"80/tcp"}, "53/udp": {"53/udp"}, "7000-7002/udp": {"7000/udp", "7001/udp", "7002/udp"}, "9/sctp": {"9/sctp"},
	} {
		if got, err := parseExpose(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("parseExpose(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "x", "80/icmp", "90-80", "1-70000", "-5"} {
		if got, err := parseExpose(in); err == nil || !strings.Contains(err.Error(), "--expose") {
			t.Errorf("parseExpose(%q) = %q, %v; want an error naming --expose", in, got, err)
		}
	}
}
