package image

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Healthcheck is Docker's image config field config.Healthcheck (the
// HEALTHCHECK instruction), which the OCI image config does not have:
// how to tell that a container of the image works. Its JSON is Docker's,
// durations in nanoseconds.
type Healthcheck struct {
	// Test is ["NONE"] (no check, overriding the parent's), ["CMD", argv...]
	// or ["CMD-SHELL", "command line"]; empty inherits.
	Test []string `json:",omitempty"`
	// Interval is the time between checks; Timeout how long one may run;
	// StartPeriod how long failures do not count after a start, during
	// which checks run every StartInterval. Zero means the default.
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	// Retries is how many failures in a row make the container unhealthy
	// (0: the default).
	Retries int `json:",omitempty"`
}

// Clone returns a copy of h that shares nothing with it (nil for nil).
func (h *Healthcheck) Clone() *Healthcheck {
	if h == nil {
		return nil
	}
	c := *h
	c.Test = slices.Clone(h.Test)
	return &c
}

// MarshalConfig encodes an image config with Docker's config.Healthcheck
// when hc is set. Without hc the bytes are encoding/json's of cfg (fields
// in declaration order), so images without a health check keep their ids;
// with it the objects are re-encoded with sorted keys, which is as
// deterministic.
func MarshalConfig(cfg ocispec.Image, hc *Healthcheck) ([]byte, error) {
	raw, err := json.Marshal(cfg)
	if err != nil || hc == nil {
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
	if inner["Healthcheck"], err = json.Marshal(hc); err != nil {
		return nil, err
	}
	if top["config"], err = json.Marshal(inner); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

// HealthcheckOf reads config.Healthcheck from a raw image config (Docker's
// field); nil when the config has none.
func HealthcheckOf(raw []byte) (*Healthcheck, error) {
	var v struct {
		Config struct {
			Healthcheck *Healthcheck `json:"Healthcheck"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decoding the image config's Healthcheck: %w: %w", errdefs.ErrInvalidArgument, err)
	}
	return v.Config.Healthcheck, nil
}
