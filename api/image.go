package api

import "time"

// ImageSummary is one entry of GET /v1/images.
type ImageSummary struct {
	ID      string    `json:"id"`
	Names   []string  `json:"names"`
	Size    int64     `json:"size"`
	Created time.Time `json:"created"`
}

// ImageInspect answers GET /v1/images/{ref}.
type ImageInspect struct {
	ImageSummary
	Layers []string `json:"layers"`
	// Config is the OCI image config's "config" member (Env, Cmd,
	// Entrypoint, WorkingDir, User, Labels, ExposedPorts, StopSignal,
	// Volumes).
	Config ImageConfig `json:"config"`
	// StartupCommands run before the target at every container start, in
	// order (the seed's ENTRYPOINT meaning; images we build).
	StartupCommands [][]string `json:"startupCommands,omitempty"`
	// EntrypointMeaning is "seed" when the image's ENTRYPOINT lines were
	// made startup commands, "docker" when its Entrypoint + Cmd is the
	// process as in Docker (images from elsewhere).
	EntrypointMeaning string `json:"entrypointMeaning"`
	OS                string `json:"os"`
	Architecture      string `json:"architecture"`
}

// ImageConfig mirrors the OCI image config's execution parameters.
type ImageConfig struct {
	User         string              `json:"user,omitempty"`
	Env          []string            `json:"env,omitempty"`
	Entrypoint   []string            `json:"entrypoint,omitempty"`
	Cmd          []string            `json:"cmd,omitempty"`
	WorkingDir   string              `json:"workingDir,omitempty"`
	Labels       map[string]string   `json:"labels,omitempty"`
	ExposedPorts map[string]struct{} `json:"exposedPorts,omitempty"`
	Volumes      map[string]struct{} `json:"volumes,omitempty"`
	StopSignal   string              `json:"stopSignal,omitempty"`
	// Healthcheck is the image's HEALTHCHECK (Docker's
	// config.Healthcheck).
	Healthcheck *HealthConfig `json:"healthcheck,omitempty"`
	// Shell is the image's SHELL (Docker's config.Shell), which runs
	// the shell form of commands; absent for /bin/sh -c.
	Shell []string `json:"shell,omitempty"`
}

// HistoryEntry is one entry of GET /v1/images/{ref}/history.
type HistoryEntry struct {
	Created    time.Time `json:"created"`
	CreatedBy  string    `json:"createdBy"`
	Comment    string    `json:"comment,omitempty"`
	EmptyLayer bool      `json:"emptyLayer,omitempty"`
	// ID is the image's id on its newest entry and "<missing>" on the
	// others, which have no image of their own (as Docker shows a
	// BuildKit-built image's history).
	ID string `json:"id,omitempty"`
	// Size is the size of the layer the entry made (0 for an empty one).
	Size int64 `json:"size"`
}

// TagRequest is the body of POST /v1/images/{ref}/tag.
type TagRequest struct {
	Name string `json:"name"`
}

// BuildRequest is the body of POST /v1/build. The context directory and
// Dockerfile are paths on the daemon's machine (the seed's build takes a
// path; a client on another machine is not supported for build yet).
//
// The daemon reads a Dockerfile only inside the context. One that lies
// elsewhere (docker build -f /elsewhere/Dockerfile CTX) or comes from the
// client's stdin (-f -) is sent as DockerfileContent; Dockerfile then only
// names it in messages ("/elsewhere/Dockerfile:3: ...").
type BuildRequest struct {
	Tags              []string          `json:"tags"`
	Dockerfile        string            `json:"dockerfile"`
	DockerfileContent string            `json:"dockerfileContent,omitempty"`
	ContextDir        string            `json:"contextDir,omitempty"`
	BuildArgs         map[string]string `json:"buildArgs,omitempty"`
	NoCache           bool              `json:"noCache,omitempty"`
	Target            string            `json:"target,omitempty"`
	Network           string            `json:"network,omitempty"`
	// EntrypointMeaning is what ENTRYPOINT means in the build, "seed"
	// (the default) or "docker"; the Dockerfile's `# entrypoint=`
	// directive overrides it.
	EntrypointMeaning string `json:"entrypointMeaning,omitempty"`
	// Labels are added to the image's labels (build --label), over those
	// of the Dockerfile.
	Labels map[string]string `json:"labels,omitempty"`
	// Pull pulls every FROM image that names a registry even when the
	// store has it (build --pull).
	Pull bool `json:"pull,omitempty"`
}

// BootstrapRequest is the body of POST /v1/images/bootstrap.
type BootstrapRequest struct {
	Name    string `json:"name,omitempty"`
	Suite   string `json:"suite,omitempty"`
	Variant string `json:"variant,omitempty"`
	Mirror  string `json:"mirror,omitempty"`
}

// Progress is one line of a build, bootstrap or import stream. The last
// line carries ID (success) or Error.
type Progress struct {
	// Stream is human output (build steps, RUN output, debootstrap lines).
	Stream string `json:"stream,omitempty"`
	// Step and Steps number build steps; Cached marks a cache hit.
	Step   int  `json:"step,omitempty"`
	Steps  int  `json:"steps,omitempty"`
	Cached bool `json:"cached,omitempty"`
	// ID is the resulting image id, on the last line.
	ID    string `json:"id,omitempty"`
	Error *Error `json:"error,omitempty"`

	// Pull, push and load progress (see distribution.go): Layer is the
	// short digest of the layer concerned (empty: a line about the whole
	// image), Status what happens to it ("Downloading", "Pull complete",
	// ...), Current and Total its bytes so far and in all (0: unknown).
	Layer   string `json:"layer,omitempty"`
	Status  string `json:"status,omitempty"`
	Current int64  `json:"current,omitempty"`
	Total   int64  `json:"total,omitempty"`
	// Digest is the manifest digest a push produced, on its last line.
	Digest string `json:"digest,omitempty"`
	// Loaded are the images a load registered, on its last line: their
	// names, or ids for the unnamed.
	Loaded []string `json:"loaded,omitempty"`
}
