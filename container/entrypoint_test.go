package container

import (
	"slices"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/api"
)

// TestTargetArgsDockerEntrypoint covers what Docker users rely on with an
// image whose ENTRYPOINT has Docker's meaning (built with `build -t`, or
// pulled): `run IMG ARGS` replaces only the Cmd, --entrypoint replaces the
// Entrypoint and drops the image's Cmd, and a shell-form Entrypoint gets
// the Cmd after its line, where `sh -c` ignores it.
func TestTargetArgsDockerEntrypoint(t *testing.T) {
	echo := ocispec.ImageConfig{Entrypoint: []string{"echo", "hello"}, Cmd: []string{"world"}}
	script := ocispec.ImageConfig{Entrypoint: []string{"/docker-entrypoint.sh"}, Cmd: []string{"serve"}}
	shell := ocispec.ImageConfig{Entrypoint: []string{"/bin/sh", "-c", "echo hi"}, Cmd: []string{"world"}}
	tests := []struct {
		name  string
		req   api.ContainerCreate
		image ocispec.ImageConfig
		want  []string
	}{
		{"entrypoint then cmd", api.ContainerCreate{}, echo, []string{"echo", "hello", "world"}},
		{"run args replace cmd only", api.ContainerCreate{Cmd: []string{"there"}}, echo, []string{"echo", "hello", "there"}},
		{"script gets the cmd as arguments", api.ContainerCreate{}, script, []string{"/docker-entrypoint.sh", "serve"}},
		{"script gets run args", api.ContainerCreate{Cmd: []string{"sh", "-c", "id"}}, script, []string{"/docker-entrypoint.sh", "sh", "-c", "id"}},
		{"--entrypoint drops the image cmd", api.ContainerCreate{Entrypoint: []string{"cat"}}, echo, []string{"cat"}},
		{"--entrypoint with run args", api.ContainerCreate{Entrypoint: []string{"printf"}, Cmd: []string{"%s-", "a"}}, echo, []string{"printf", "%s-", "a"}},
		{"shell form keeps its line first", api.ContainerCreate{}, shell, []string{"/bin/sh", "-c", "echo hi", "world"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := targetArgs(tt.req, tt.image)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %q %v, want %q", got, err, tt.want)
			}
		})
	}
}
