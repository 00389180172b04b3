package container

import (
	"fmt"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/envpath"
)

// targetArgs is the process a container runs, with the two meanings of
// ENTRYPOINT (image.EntrypointMeaning) coexisting:
//
//   - images we build with the seed's meaning carry startup commands; they
//     run before the target at every start and are not part of it (see
//     runStartup); the target is the request's Cmd, or the image's Cmd;
//   - images built with Docker's meaning, and images from elsewhere, carry
//     an OCI Entrypoint: the target is Entrypoint + Cmd, as Docker runs it
//     (a shell-form Entrypoint, `sh -c LINE`, takes the Cmd as $0 and so
//     ignores it). A request's Entrypoint replaces the image's and then
//     drops the image's Cmd (Docker's rule: the image's arguments were
//     written for its own entrypoint).
//
// An image built FROM one of the other meaning has both; both apply.
func targetArgs(req api.ContainerCreate, cfg ocispec.ImageConfig) ([]string, error) {
	entry, cmd := cfg.Entrypoint, cfg.Cmd
	if req.Entrypoint != nil {
		entry, cmd = req.Entrypoint, nil
	}
	if len(req.Cmd) > 0 {
		cmd = req.Cmd
	}
	args := append(slices.Clone(entry), cmd...)
	if len(args) == 0 {
		return nil, fmt.Errorf("no command: the image has no CMD or ENTRYPOINT and none was given: %w", errdefs.ErrInvalidArgument)
	}
	return args, nil
}

// mergeEnv returns the image's environment overridden by the request's,
// with PATH defaulted, in a stable order (the image's keys first).
func mergeEnv(image, req []string, extra ...string) ([]string, error) {
	var keys []string
	vals := map[string]string{}
	set := func(kv string, strict bool) error {
		k, v, ok := strings.Cut(kv, "=")
		if k == "" {
			return fmt.Errorf("environment variable %q has no name: %w", kv, errdefs.ErrInvalidArgument)
		}
		if !ok && strict {
			// Docker's "-e NAME" without a value drops NAME.
			if _, seen := vals[k]; seen {
				delete(vals, k)
				keys = slices.DeleteFunc(keys, func(s string) bool { return s == k })
			}
			return nil
		}
		if _, seen := vals[k]; !seen {
			keys = append(keys, k)
		}
		vals[k] = v
		return nil
	}
	for _, kv := range image {
		if err := set(kv, false); err != nil {
			return nil, fmt.Errorf("image environment: %w", err)
		}
	}
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		if _, seen := vals[k]; !seen {
			set(kv, false)
		}
	}
	for _, kv := range req {
		if err := set(kv, true); err != nil {
			return nil, err
		}
	}
	if _, ok := vals["PATH"]; !ok {
		keys = append([]string{"PATH"}, keys...)
		vals["PATH"] = envpath.Default
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+vals[k])
	}
	return out, nil
}

// envHas reports whether env sets key.
func envHas(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}
