package daemon

import (
	"net/http"
	"strings"
)

// fallback serves what no /v1 route matched: a /v1/... path is ours and
// gets notFound; anything else goes to Config.Docker (the Docker Engine
// API: /_ping, /version, /vX.YY/...) when the daemon serves it.
func (s *Server) fallback(mux *http.ServeMux) http.Handler {
	ours := notFound(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Docker == nil || r.URL.Path == "/v1" || strings.HasPrefix(r.URL.Path, "/v1/") {
			ours.ServeHTTP(w, r)
			return
		}
		s.cfg.Docker.ServeHTTP(w, r)
	})
}
