package main

import (
	"io"
	"path/filepath"
	"slices"
	"testing"
)

func TestDistConfig(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c, err := parseConfig([]string{"--root", "/srv/crt", "--insecure-registry", "Reg.lan:5000", "--insecure-registry", "http://other.lan/"},
		getenv, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"reg.lan:5000", "other.lan"}; !slices.Equal(c.dist.insecure, want) {
		t.Errorf("insecure registries %q, want %q", c.dist.insecure, want)
	}
	tests := []struct {
		name       string
		flag       string
		env        map[string]string
		path, fall string
	}{
		{"defaults", "", map[string]string{"HOME": "/root"}, "/srv/crt/auth.json", "/root/.docker/config.json"},
		{"env", "", map[string]string{"CONTAINER_RUNTIME_AUTH_FILE": "/etc/crt/auth.json", "DOCKER_CONFIG": "/d"}, "/etc/crt/auth.json", "/d/config.json"},
		{"flag wins", "/x/auth.json", map[string]string{"CONTAINER_RUNTIME_AUTH_FILE": "/etc/crt/auth.json", "DOCKER_CONFIG": "/d"}, "/x/auth.json", "/d/config.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := distConfig{authFile: tt.flag}
			f := d.auth("/srv/crt", func(k string) string { return tt.env[k] })
			if f.Path != tt.path || len(f.Fallback) != 1 || f.Fallback[0] != filepath.Clean(tt.fall) {
				t.Errorf("auth file %q, fallback %q; want %q, %q", f.Path, f.Fallback, tt.path, tt.fall)
			}
		})
	}
	if _, err := parseConfig([]string{"--insecure-registry", "a/b"}, getenv, nil, io.Discard); err == nil {
		t.Error("--insecure-registry a/b was accepted")
	}
}
