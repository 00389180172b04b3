package daemon

import (
	"net/http"

	"github.com/container-runtime/container-runtime/api"
)

// containerStats is GET /v1/containers/{id}/stats?stream=BOOL: with
// stream (the default, as Docker's) one api.ContainerStats NDJSON line
// per second until the client leaves or the container is removed; a
// failure after the first line ends the stream with an api.Error line.
// Without stream, one sample as a JSON object, at once (its CPU counters
// are paired with a reading the daemon kept, see container/stats.go).
func (s *Server) containerStats(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	stream := q.bool("stream", true)
	if q.err != nil {
		return q.err
	}
	id := r.PathValue("id")
	if !stream {
		var sample api.ContainerStats
		err := s.cfg.Containers.Stats(r.Context(), id, false, func(st api.ContainerStats) error {
			sample = st
			return nil
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, sample)
		return nil
	}
	ctx, cancel := s.streamCtx(r.Context())
	defer cancel()
	lw := newLazyWriter(w, contentNDJSON)
	err := s.cfg.Containers.Stats(ctx, id, true, func(st api.ContainerStats) error { return lw.writeLine(st) })
	if err == nil || !lw.hasBegun() {
		return err
	}
	if ctx.Err() != nil {
		return nil // the client left, or the daemon is shutting down
	}
	_, kind := statusOf(err)
	return lw.writeLine(api.Error{Kind: kind, Message: err.Error()})
}
