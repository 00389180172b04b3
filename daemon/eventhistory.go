package daemon

import (
	"context"

	"github.com/container-runtime/container-runtime/api"
)

// SubscribeHistory returns the events the server keeps (the last
// Config.HistorySize of the bus, oldest first) and a channel of the next
// ones, closed when ctx ends or the subscriber falls behind: for another
// front end of the same daemon (the Docker Engine API) to serve `since`
// from the same history as GET /v1/events.
func (s *Server) SubscribeHistory(ctx context.Context) ([]api.Event, <-chan api.Event) {
	return s.history.subscribe(ctx)
}
