package builder

import (
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/container-runtime/container-runtime/image"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// imageState is the image a stage has built so far; it is what a cache
// entry stores as the result of a step.
type imageState struct {
	Layers          []digest.Digest `json:"layers"`
	Config          ocispec.Image   `json:"config"`
	StartupCommands [][]string      `json:"startupCommands,omitempty"`
	// Healthcheck is Docker's config.Healthcheck (HEALTHCHECK), kept
	// beside Config, which cannot hold it.
	Healthcheck *image.Healthcheck `json:"healthcheck,omitempty"`
	// Shell is Docker's config.Shell (SHELL), also kept beside Config:
	// the shell in effect, inherited through FROM; nil for the default.
	Shell []string `json:"shell,omitempty"`
}

// scratchState is the empty image of `FROM scratch`.
func scratchState() imageState {
	return imageState{Config: ocispec.Image{
		Platform: ocispec.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH},
		RootFS:   ocispec.RootFS{Type: "layers"},
	}}
}

// stateOf returns the state of an image from the store.
func stateOf(img image.Image) imageState {
	st := imageState{
		Layers:          slices.Clone(img.Layers),
		Config:          img.Config,
		StartupCommands: img.StartupCommands,
		Healthcheck:     img.Healthcheck,
		Shell:           img.Shell,
	}
	st = st.clone()
	if st.Config.OS == "" {
		st.Config.OS, st.Config.Architecture = runtime.GOOS, runtime.GOARCH
	}
	st.Config.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: slices.Clone(st.Layers)}
	return st
}

// clone returns a deep copy of s that can be changed without changing s.
func (s imageState) clone() imageState {
	c := s
	c.Layers = slices.Clone(s.Layers)
	c.Healthcheck = s.Healthcheck.Clone()
	c.Shell = slices.Clone(s.Shell)
	c.StartupCommands = make([][]string, len(s.StartupCommands))
	for i, cmd := range s.StartupCommands {
		c.StartupCommands[i] = slices.Clone(cmd)
	}
	if len(c.StartupCommands) == 0 {
		c.StartupCommands = nil
	}
	cfg := &c.Config
	if s.Config.Created != nil {
		t := *s.Config.Created
		cfg.Created = &t
	}
	cfg.RootFS.DiffIDs = slices.Clone(s.Config.RootFS.DiffIDs)
	cfg.History = slices.Clone(s.Config.History)
	for i, h := range cfg.History {
		if h.Created != nil {
			t := *h.Created
			cfg.History[i].Created = &t
		}
	}
	ic := &cfg.Config
	ic.Env = slices.Clone(ic.Env)
	ic.Cmd = slices.Clone(ic.Cmd)
	ic.Entrypoint = slices.Clone(ic.Entrypoint)
	ic.Labels = maps.Clone(ic.Labels)
	ic.ExposedPorts = maps.Clone(ic.ExposedPorts)
	ic.Volumes = maps.Clone(ic.Volumes)
	return c
}

// addLayer puts a new top layer on the image.
func (s *imageState) addLayer(diffID digest.Digest) {
	s.Layers = append(s.Layers, diffID)
	s.Config.RootFS.Type = "layers"
	s.Config.RootFS.DiffIDs = append(s.Config.RootFS.DiffIDs, diffID)
}

// addHistory records a step in the image's history and sets the image's
// creation time to the step's.
func (s *imageState) addHistory(createdBy string, emptyLayer bool, at time.Time) {
	t := at.UTC()
	s.Config.Created = &t
	s.Config.History = append(s.Config.History, ocispec.History{
		Created:    &t,
		CreatedBy:  createdBy,
		Comment:    "container-runtime build",
		EmptyLayer: emptyLayer,
	})
}
