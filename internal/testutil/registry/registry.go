// Package registry serves an OCI distribution registry on 127.0.0.1 for
// tests and benchmarks: go-containerregistry's, in memory, optionally
// behind HTTP basic auth. Nothing leaves the machine.
package registry

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
)

// Credentials are a user name and password for basic auth.
type Credentials struct {
	User, Password string
}

// Handler returns a registry keeping everything in memory, which asks for
// basic auth with creds unless they are the zero value. Its log is
// discarded.
func Handler(creds Credentials) http.Handler {
	h := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	if creds == (Credentials{}) {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != creds.User || p != creds.Password {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Start serves a registry (see Handler) on 127.0.0.1 over plain HTTP
// until the test ends, and returns its host:port.
func Start(t testing.TB, creds Credentials) string {
	t.Helper()
	srv := httptest.NewServer(Handler(creds)) // 127.0.0.1
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
