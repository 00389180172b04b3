package distribution

import (
	"errors"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestParseRemote(t *testing.T) {
	const dg = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		in       string
		insecure bool
		full     string // go-containerregistry's name
		local    string
		wantErr  bool
	}{
		{in: "debian", full: "index.docker.io/library/debian:latest", local: "debian:latest"},
		{in: "debian:12", full: "index.docker.io/library/debian:12", local: "debian:12"},
		{in: "docker.io/library/debian", full: "index.docker.io/library/debian:latest", local: "debian:latest"},
		{in: "bitnami/redis:7", full: "index.docker.io/bitnami/redis:7", local: "bitnami/redis:7"},
		{in: "localhost:5000/app", full: "localhost:5000/app:latest", local: "localhost:5000/app:latest"},
		{in: "docker.io/library/a/b", full: "index.docker.io/library/a/b:latest", local: "library/a/b:latest"},
		{in: "docker.io/localhost/app", full: "index.docker.io/localhost/app:latest", local: "docker.io/localhost/app:latest"},
		{in: "[::1]:5000/app", full: "[::1]:5000/app:latest", local: "[::1]:5000/app:latest"},
		{in: "a..b", wantErr: true},
		{in: "registry.example.com/a/b:v1", insecure: true, full: "registry.example.com/a/b:v1", local: "registry.example.com/a/b:v1"},
		{in: "debian@" + dg, full: "index.docker.io/library/debian@" + dg},
		{in: "debian:12@" + dg, full: "index.docker.io/library/debian@" + dg},
		{in: "debian", insecure: true, wantErr: true},
		{in: "Debian", wantErr: true},
		{in: "", wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			r, err := parseRemote(tc.in, tc.insecure)
			if tc.wantErr {
				if !errors.Is(err, errdefs.ErrInvalidArgument) {
					t.Errorf("parseRemote(%q) = %v, %v; want ErrInvalidArgument", tc.in, r, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRemote(%q): %v", tc.in, err)
			}
			if r.String() != tc.full || r.local != tc.local {
				t.Errorf("parseRemote(%q) = %s local %q; want %s local %q", tc.in, r, r.local, tc.full, tc.local)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ in, familiar, canonical string }{
		{"busybox:latest", "busybox:latest", "docker.io/library/busybox:latest"},
		{"docker.io/library/busybox:1", "busybox:1", "docker.io/library/busybox:1"},
		{"localhost/app:latest", "localhost/app:latest", "localhost/app:latest"},
		{"quay.io/org/app", "quay.io/org/app:latest", "quay.io/org/app:latest"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got, err := familiarName(tc.in); err != nil || got != tc.familiar {
				t.Errorf("familiarName = %q, %v; want %q", got, err, tc.familiar)
			}
			if got, err := canonicalName(tc.in); err != nil || got != tc.canonical {
				t.Errorf("canonicalName = %q, %v; want %q", got, err, tc.canonical)
			}
		})
	}
}
