package image

import (
	"encoding/json"
	"fmt"
	"slices"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Extensions are the members of Docker's image config "config" object that
// the OCI image config (ocispec.ImageConfig) does not have, kept beside it.
type Extensions struct {
	// Healthcheck is config.Healthcheck (HEALTHCHECK); nil without one.
	Healthcheck *Healthcheck `json:"Healthcheck,omitempty"`
	// Shell is config.Shell (SHELL): the command line that runs the
	// shell form of RUN, CMD, ENTRYPOINT and a CMD-SHELL health check;
	// nil for Docker's default, /bin/sh -c.
	Shell []string `json:"Shell,omitempty"`
}

// Clone returns a copy of e that shares nothing with it.
func (e Extensions) Clone() Extensions {
	return Extensions{Healthcheck: e.Healthcheck.Clone(), Shell: slices.Clone(e.Shell)}
}

// empty tells whether e adds nothing to the OCI config.
func (e Extensions) empty() bool {
	return e.Healthcheck == nil && len(e.Shell) == 0
}

// MarshalConfig encodes an image config with Docker's members of
// config (Healthcheck, Shell) that ext sets. Without them the bytes are
// encoding/json's of cfg (fields in declaration order), so images without
// them keep their ids; with them the objects are re-encoded with sorted
// keys, which is as deterministic (and gives an image with only a health
// check the bytes it had before Shell was kept).
func MarshalConfig(cfg ocispec.Image, ext Extensions) ([]byte, error) {
	raw, err := json.Marshal(cfg)
	if err != nil || ext.empty() {
		return raw, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	inner := map[string]json.RawMessage{}
	if c, ok := top["config"]; ok {
		if err := json.Unmarshal(c, &inner); err != nil {
			return nil, err
		}
	}
	if ext.Healthcheck != nil {
		if inner["Healthcheck"], err = json.Marshal(ext.Healthcheck); err != nil {
			return nil, err
		}
	}
	if len(ext.Shell) > 0 {
		if inner["Shell"], err = json.Marshal(ext.Shell); err != nil {
			return nil, err
		}
	}
	if top["config"], err = json.Marshal(inner); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

// ExtensionsOf reads Docker's config.Healthcheck and config.Shell from a
// raw image config; zero when the config has neither.
func ExtensionsOf(raw []byte) (Extensions, error) {
	var v struct {
		Config Extensions `json:"config"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return Extensions{}, fmt.Errorf("decoding the image config's Healthcheck and Shell: %w: %w", errdefs.ErrInvalidArgument, err)
	}
	if len(v.Config.Shell) == 0 {
		// "Shell": [] is Docker's default too.
		v.Config.Shell = nil
	}
	if hc := v.Config.Healthcheck; hc != nil && len(hc.Test) == 0 {
		// "Test": [] inherits, as no Test does: one form for both.
		hc.Test = nil
	}
	return v.Config, nil
}
