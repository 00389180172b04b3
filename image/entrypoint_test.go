package image

import (
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestEntrypointMeaning(t *testing.T) {
	withLabel := func(v string) ocispec.Image {
		var c ocispec.Image
		c.Config.Labels = map[string]string{EntrypointMeaningLabel: v}
		return c
	}
	cases := []struct {
		name string
		img  Image
		want string
	}{
		{"pulled image", Image{}, EntrypointDocker},
		{"seed image made before the label", Image{StartupCommands: [][]string{{"true"}}}, EntrypointSeed},
		{"seed label", Image{Config: withLabel("seed")}, EntrypointSeed},
		{"docker label over inherited startup commands", Image{Config: withLabel("docker"), StartupCommands: [][]string{{"true"}}}, EntrypointDocker},
		{"unknown label value", Image{Config: withLabel("other"), StartupCommands: [][]string{{"true"}}}, EntrypointSeed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.img.EntrypointMeaning(); got != c.want {
				t.Errorf("EntrypointMeaning() = %q, want %q", got, c.want)
			}
		})
	}
}
