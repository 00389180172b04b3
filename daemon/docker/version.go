package docker

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/version"
)

// The API versions served. MaxAPIVersion is the newest that the pinned
// github.com/moby/moby/api module describes (its docs/v1.57.yaml): raise
// it with the module. MinAPIVersion is that of Debian 12's docker.io
// client (20.10); older clients are refused, as Docker refuses them.
const (
	MinAPIVersion = "1.41"
	MaxAPIVersion = "1.57"
)

// versionPrefix matches the /vX.YY that Docker clients put before a route.
var versionPrefix = regexp.MustCompile(`^/v([0-9]+\.[0-9]+)(/|$)`)

// request is what negotiate learned about a request, kept in its context.
type request struct {
	// version is the API version the client asked for (MaxAPIVersion
	// when it named none).
	version string
	// path is the path as sent, version prefix included, for messages.
	path string
}

type requestKey struct{}

// negotiate sets the headers Docker sends with every answer, checks the
// version the path names and takes it off the path.
func negotiate(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	hdr := w.Header()
	hdr.Set("Api-Version", MaxAPIVersion)
	hdr.Set("Docker-Experimental", "false")
	hdr.Set("Ostype", "linux")
	hdr.Set("Server", "container-runtimed/"+version.Version+" (linux)")

	req := &request{version: MaxAPIVersion, path: r.URL.Path}
	if m := versionPrefix.FindStringSubmatch(r.URL.Path); m != nil {
		req.version = m[1]
		switch {
		case compareVersions(req.version, MinAPIVersion) < 0:
			return r, errdefs.Kindf(errdefs.ErrInvalidArgument,
				"client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", req.version, MinAPIVersion)
		case compareVersions(req.version, MaxAPIVersion) > 0:
			return r, errdefs.Kindf(errdefs.ErrInvalidArgument,
				"client version %s is too new. Maximum supported API version is %s", req.version, MaxAPIVersion)
		}
		r = r.Clone(r.Context())
		r.URL.Path = "/" + strings.TrimPrefix(r.URL.Path[len(m[0]):], "/")
		r.URL.RawPath = ""
	}
	return r.WithContext(context.WithValue(r.Context(), requestKey{}, req)), nil
}

// requestOf returns what negotiate learned about r.
func requestOf(r *http.Request) *request {
	if req, ok := r.Context().Value(requestKey{}).(*request); ok {
		return req
	}
	return &request{version: MaxAPIVersion, path: r.URL.Path}
}

// compareVersions compares two MAJOR.MINOR versions numerically.
func compareVersions(a, b string) int {
	am, an := splitVersion(a)
	bm, bn := splitVersion(b)
	switch {
	case am != bm:
		return cmpInt(am, bm)
	default:
		return cmpInt(an, bn)
	}
}

func splitVersion(v string) (major, minor int) {
	ma, mi, _ := strings.Cut(v, ".")
	major, _ = strconv.Atoi(ma)
	minor, _ = strconv.Atoi(mi)
	return major, minor
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ping answers GET and HEAD /_ping as Docker does: the headers tell the
// client which API version to use and that the classic builder is the
// one served (BuildKit sessions are not).
func (h *Handler) ping(w http.ResponseWriter, r *http.Request) error {
	hdr := w.Header()
	hdr.Set("Builder-Version", "1")
	hdr.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	hdr.Set("Pragma", "no-cache")
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	if r.Method == http.MethodHead {
		hdr.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	_, err := fmt.Fprint(w, "OK")
	return err
}
