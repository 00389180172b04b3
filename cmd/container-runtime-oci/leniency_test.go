package main

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestDropUnraisableAmbient(t *testing.T) {
	// What `runc spec` writes: ambient but not inheritable.
	runcSpec := []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	tests := []struct {
		name        string
		caps        *specs.LinuxCapabilities
		wantAmbient []string
		wantWarning bool
	}{
		{name: "no capabilities"},
		{name: "no ambient", caps: &specs.LinuxCapabilities{Permitted: runcSpec}},
		{
			name:        "runc spec's default",
			caps:        &specs.LinuxCapabilities{Bounding: runcSpec, Effective: runcSpec, Permitted: runcSpec, Ambient: runcSpec},
			wantWarning: true,
		},
		{
			name:        "raisable kept",
			caps:        &specs.LinuxCapabilities{Permitted: runcSpec, Inheritable: []string{"CAP_KILL"}, Ambient: runcSpec},
			wantAmbient: []string{"CAP_KILL"},
			wantWarning: true,
		},
		{
			name:        "all raisable",
			caps:        &specs.LinuxCapabilities{Permitted: runcSpec, Inheritable: runcSpec, Ambient: runcSpec},
			wantAmbient: runcSpec,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			p := &specs.Process{Capabilities: tt.caps}
			dropUnraisableAmbient(p, slog.New(slog.NewTextHandler(&logged, nil)))
			if tt.caps != nil && !slices.Equal(p.Capabilities.Ambient, tt.wantAmbient) {
				t.Errorf("ambient = %v, want %v", p.Capabilities.Ambient, tt.wantAmbient)
			}
			if got := strings.Contains(logged.String(), "level=WARN"); got != tt.wantWarning {
				t.Errorf("warning logged = %v, want %v: %q", got, tt.wantWarning, logged.String())
			}
		})
	}
	dropUnraisableAmbient(nil, slog.New(slog.DiscardHandler)) // must not panic
}
