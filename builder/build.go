// Package build turns a Dockerfile into an image in the store.
//
// The Dockerfile is parsed with buildkit's parser, instructions and shell
// packages; each instruction of the stages the target needs becomes one
// step. A step's result (its layers, image config and startup commands) is
// cached under a key made of the parent step's key and the step's inputs:
// the instruction after variable expansion, the build args in effect and,
// for COPY and ADD, a content hash of every source file. On a miss the
// builder compares the inputs with those of the earlier builds of the same
// parent and says which one changed.
//
// Layers are never copied: COPY and ADD write straight into a new layer
// directory, and RUN runs a container (through a Runner) on an OverlayFS
// mount whose upper directory becomes the new layer.
//
// ENTRYPOINT has the seed's meaning, not Docker's: each one appends a
// command to the image's startup commands, which run before the target
// process at every start of a container of the image, and an image built
// FROM another inherits the other's startup commands first.
package builder

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// Options describe one build.
type Options struct {
	// Tags are the names given to the image ("name" or "name:tag"). They
	// are moved to the new image only once every step has succeeded.
	Tags []string
	// Dockerfile is the path of the Dockerfile, absolute or relative to
	// ContextDir, and inside ContextDir. When empty it is "Dockerfile" in
	// ContextDir.
	Dockerfile string
	// DockerfileContent, when not nil, is the Dockerfile itself (one the
	// client read outside the context, or from its stdin): nothing is
	// read from Dockerfile, which then only names it in errors.
	// ContextDir must be given with it.
	DockerfileContent []byte
	// ContextDir is the directory COPY and ADD sources are relative to.
	// When empty it is the Dockerfile's directory, as in the seed ("the
	// paths are relative to the path of the Dockerfile").
	ContextDir string
	// BuildArgs give values to the Dockerfile's ARGs.
	BuildArgs map[string]string
	// NoCache runs every step even when a cached result exists.
	NoCache bool
	// Target is the name of the stage to build; the last stage when empty.
	Target string
	// Network is the default network of RUN steps: "host" (the default,
	// as in the seed, so that apt-get works) or "none". RUN --network
	// overrides it per step.
	Network string
	// EntrypointMeaning is what ENTRYPOINT means (image.EntrypointSeed,
	// the default, or image.EntrypointDocker) unless the Dockerfile's
	// `# entrypoint=` directive says otherwise.
	EntrypointMeaning string
	// Labels are set on the image (build --label), over the Dockerfile's.
	Labels map[string]string
	// Pull pulls a FROM image that names a registry even when Store has
	// it (build --pull), through Builder.Pull.
	Pull bool
	// Progress receives the human-readable progress: step headers, cache
	// markers and explanations, the live output of RUN steps and the final
	// image id. Nil discards it.
	Progress io.Writer
}

// Builder builds images into Store, running RUN steps with Runner.
//
// A Builder may run several builds at once. It remembers file hashes
// between builds (keyed by stat data) so that a rebuild of an
// unchanged context does not read the files again; do not copy a Builder
// after first use.
type Builder struct {
	// Store holds the base images, the new layers, the cache and the
	// resulting image.
	Store *image.Store
	// Runner runs RUN steps. A build with a RUN step fails when it is nil.
	Runner Runner
	// Pull, when set, fetches a FROM image that Store lacks (from its
	// registry) and returns it, registered in Store. Nil: such a FROM
	// fails with ErrNotFound.
	Pull func(ctx context.Context, ref string) (image.Image, error)

	hashes hashCache
	// caches are the RUN --mount=type=cache directories in use.
	caches cacheSet
}

// Build runs the build described by opts and registers the resulting image
// under opts.Tags. On failure nothing is registered and existing images
// with the same names are left as they were.
func (b *Builder) Build(ctx context.Context, opts Options) (image.Image, error) {
	if b.Store == nil {
		return image.Image{}, fmt.Errorf("building: no image store: %w", errdefs.ErrInvalidArgument)
	}
	opts, err := normalizeOptions(opts)
	if err != nil {
		return image.Image{}, err
	}
	var df *dockerfile
	if opts.DockerfileContent != nil {
		df, err = parseDockerfile(opts.Dockerfile, bytes.NewReader(opts.DockerfileContent))
	} else {
		df, err = parseDockerfileFile(opts.ContextDir, opts.Dockerfile)
	}
	if err != nil {
		return image.Image{}, err
	}
	r, err := newBuildRun(b, opts, df)
	if err != nil {
		return image.Image{}, err
	}
	// The lease keeps the layers the build makes or reuses from GC until
	// the image that references them is registered.
	ctx, release := b.Store.WithLease(ctx)
	defer release()
	return r.run(ctx)
}

// normalizeOptions fills the defaults of opts and checks its values.
func normalizeOptions(opts Options) (Options, error) {
	switch {
	case opts.DockerfileContent != nil && opts.ContextDir == "":
		return opts, fmt.Errorf("building: a Dockerfile given by content needs a context: %w", errdefs.ErrInvalidArgument)
	case opts.DockerfileContent != nil && opts.Dockerfile == "":
		opts.Dockerfile = "Dockerfile"
	case opts.DockerfileContent != nil:
		// Only a name for messages: it is not read, so not joined.
	case opts.Dockerfile == "" && opts.ContextDir == "":
		return opts, fmt.Errorf("building: no Dockerfile and no context given: %w", errdefs.ErrInvalidArgument)
	case opts.Dockerfile == "":
		opts.Dockerfile = filepath.Join(opts.ContextDir, "Dockerfile")
	case opts.ContextDir == "":
		opts.ContextDir = filepath.Dir(opts.Dockerfile)
	case !filepath.IsAbs(opts.Dockerfile):
		// Relative to the context, as docker build -f is.
		opts.Dockerfile = filepath.Join(opts.ContextDir, opts.Dockerfile)
	}
	switch opts.Network {
	case "":
		opts.Network = NetworkHost
	case NetworkHost, NetworkNone:
	default:
		return opts, fmt.Errorf("building: network %q: must be %q or %q: %w",
			opts.Network, NetworkHost, NetworkNone, errdefs.ErrInvalidArgument)
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	return opts, nil
}
