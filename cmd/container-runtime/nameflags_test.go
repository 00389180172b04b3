package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
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

// TestAttachStreams: -a names the streams (any case), stdin opens the
// container's stdin, and -a with -d or an unknown stream is refused.
func TestAttachStreams(t *testing.T) {
	var req api.ContainerCreate
	s, err := attachStreams([]string{"STDOUT", "stdin"}, false, &req)
	if err != nil || s == nil || !s.stdout || s.stderr || !req.OpenStdin {
		t.Errorf("-a STDOUT -a stdin: %+v, open stdin %v, %v", s, req.OpenStdin, err)
	}
	if s, err := attachStreams(nil, true, &req); s != nil || err != nil {
		t.Errorf("no -a: %+v, %v", s, err)
	}
	if _, err := attachStreams([]string{"stdout"}, true, &req); err == nil || !strings.Contains(err.Error(), "conflicting options: -a and -d") {
		t.Errorf("-a with -d: %v", err)
	}
	if _, err := attachStreams([]string{"stdlog"}, false, &req); err == nil || !strings.Contains(err.Error(), "valid streams are STDIN, STDOUT and STDERR") {
		t.Errorf("-a stdlog: %v", err)
	}
}
