package docker

import (
	"context"

	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
)

// listEntry is a container of GET /containers/json in Docker's shape,
// with what our list entry lacks and Docker's has, taken from the
// container's inspect: the image id and every network with its id and
// address. Compose compares those network ids with its networks' to tell
// whether a container is still as configured; without them every
// `compose up` recreates every container. A container removed since the
// list keeps the list's entry.
func (h *Handler) listEntry(ctx context.Context, c api.ContainerSummary, version string) container.Summary {
	s := summaryOf(c, version)
	ci, err := h.cfg.Containers.Inspect(ctx, c.ID)
	if err != nil {
		return s
	}
	s.ImageID = ci.ImageID
	if len(ci.Networks) > 0 {
		s.NetworkSettings.Networks = endpointSettings(ci, version)
	}
	return s
}
