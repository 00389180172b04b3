package docker

import (
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/api"
)

// imageConfigExt is image inspect's Docker members of Config that the OCI
// image config lacks: the image's HEALTHCHECK and SHELL.
func imageConfigExt(c api.ImageConfig) dockerspec.DockerOCIImageConfigExt {
	ext := dockerspec.DockerOCIImageConfigExt{Shell: c.Shell}
	if h := c.Healthcheck; h != nil {
		ext.Healthcheck = &dockerspec.HealthcheckConfig{
			Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod,
			StartInterval: h.StartInterval, Retries: h.Retries,
		}
	}
	return ext
}
