package docker

import (
	"net/http"

	"github.com/moby/moby/api/types/build"

	"github.com/container-runtime/container-runtime/errdefs"
)

// buildPrune is POST /build/prune (docker builder prune, and docker
// system prune, which calls it too): our builder's cache is forgotten and
// the layers only it kept are freed; CachesDeleted names those layers.
//
// Docker keeps the cache in use and, without all, prunes only the
// dangling records; our cache records nothing of the sort, so both forget
// the whole cache (the next build of a Dockerfile runs every step again;
// images keep their layers). The limits (keep-storage, reserved-space,
// max-used-space, min-free-space) and filters are refused rather than
// ignored: with them a user asks to keep some of the cache.
func (h *Handler) buildPrune(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Images == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not build images")
	}
	// all changes nothing here (see above).
	q := newQuery(r)
	for _, k := range []string{"keep-storage", "reserved-space", "max-used-space", "min-free-space"} {
		if q.int(k, 0) != 0 {
			return unsupported("query parameter "+k, "keeping part of the build cache")
		}
	}
	if f := q.filters(); len(f) > 0 {
		return unsupported("query parameter filters", "filtering a build cache prune")
	}
	if q.err != nil {
		return q.err
	}
	rep, err := h.cfg.Images.PruneBuildCache(r.Context())
	if err != nil {
		return err
	}
	deleted := rep.Deleted
	if deleted == nil {
		deleted = []string{}
	}
	return writeJSON(w, http.StatusOK, build.CachePruneReport{CachesDeleted: deleted, SpaceReclaimed: uint64(max(rep.SpaceReclaimed, 0))})
}
