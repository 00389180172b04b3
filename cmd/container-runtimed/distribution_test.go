package main

import (
	"context"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestInsecure(t *testing.T) {
	s := &distributionService{Insecure: []string{"reg.lan:5000", "docker.io"}}
	tests := []struct {
		ref   string
		asked bool
		want  bool
	}{
		{"reg.lan:5000/app:1", false, true},
		{"REG.lan:5000/app", false, true},
		{"reg.lan/app", false, false},
		{"other.lan:5000/app", true, true},
		// Listing Docker Hub never applies to names that do not say it.
		{"debian", false, false},
		{"library/debian", false, false},
		{"localhost/app", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			if got := s.insecure(tt.asked, namedRegistry(tt.ref)); got != tt.want {
				t.Errorf("insecure = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKeychain(t *testing.T) {
	if keychain(nil) != nil || keychain(&api.RegistryAuth{}) != nil {
		t.Error("no credentials must leave the stored ones in charge (nil keychain)")
	}
	k := keychain(&api.RegistryAuth{Username: "u", Password: "p"})
	c, err := k.Credentials(context.Background(), "r.example")
	if err != nil || c.Username != "u" || c.Password != "p" {
		t.Errorf("credentials %+v, %v", c, err)
	}
}
