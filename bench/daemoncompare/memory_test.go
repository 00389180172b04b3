package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrintMemory(t *testing.T) {
	ours := &memEngine{label: "ours", monitor: "monitor", daemon: "ourd", daemons: func() []int { return nil },
		startup: footprint{RSS: 15 * 1024, PSS: 12 * 1024}}
	peer := &memEngine{label: "docker", monitor: "shim", daemon: "dockerd", daemons: func() []int { return nil },
		startup: footprint{RSS: 110 * 1024, PSS: 100 * 1024}}
	none := &memEngine{label: "podman", monitor: "conmon"}
	rs := []memResult{
		{engine: ours, monitors: footprint{RSS: 40 * 1024, PSS: 6 * 1024, Procs: 20},
			after: footprint{RSS: 22 * 1024, PSS: 20 * 1024}},
		{engine: peer, monitors: footprint{RSS: 260 * 1024, PSS: 120 * 1024, Procs: 20},
			after: footprint{RSS: 125 * 1024, PSS: 122 * 1024}},
		{engine: none, monitors: footprint{RSS: 48 * 1024, PSS: 12 * 1024, Procs: 20}},
	}
	var buf bytes.Buffer
	printMemory(&buf, 20, rs, []skip{{"other", "not installed"}})
	out := buf.String()
	for _, want := range []string{
		"ours: monitor",
		"0.30 MiB", // 6 MiB over 20 containers
		"6.00 MiB", // 120 MiB over 20
		"ours vs docker: 0.05× its PSS per container, 0.15× its RSS per container",
		"ours vs podman: 0.50× its PSS per container",
		"podman                                        (no daemon)",
		"ours vs docker: idle RSS after start-up 0.14×, PSS 0.12×; after the removals RSS 0.18×, PSS 0.16×",
		"skipped other: not installed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestMibAndRatio(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{mib(1024, 1), "1.00 MiB"},
		{mib(2048, 4), "0.50 MiB"},
		{mib(1, 0), "-"},
		{kbRatio(1, 2), "0.50"},
		{kbRatio(1, 40), "0.025"},
		{kbRatio(3, 0), "-"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
