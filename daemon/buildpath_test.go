package daemon

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestBuildPaths checks the build route's path rules: the context is an
// absolute path of the daemon's machine; the Dockerfile is absolute, or
// relative to a given context (the builder then refuses one outside the
// context, see build's TestDockerfileMustBeInTheContext).
func TestBuildPaths(t *testing.T) {
	var got []api.BuildRequest
	d := startDaemon(t, Config{Images: &fakeImages{build: func(_ context.Context, req api.BuildRequest, _ io.Writer) (string, error) {
		got = append(got, req)
		return "sha256:1", nil
	}}})
	for _, tc := range []struct {
		body, refusal string
	}{
		{`{"contextDir":"/src","dockerfile":"docker/Dockerfile.dev"}`, ""},
		{`{"contextDir":"/src"}`, ""},
		{`{"dockerfile":"/src/Dockerfile"}`, ""},
		{`{"dockerfile":"Dockerfile"}`, `field "dockerfile": "Dockerfile" is not an absolute path, and no contextDir`},
		{`{"contextDir":"src","dockerfile":"/src/Dockerfile"}`, `field "contextDir": "src" is not an absolute path`},
		{`{}`, `field "dockerfile" or "contextDir" is required`},
		// A Dockerfile sent by content: its path only names it.
		{`{"contextDir":"/src","dockerfile":"/elsewhere/Dockerfile","dockerfileContent":"FROM busybox\n"}`, ""},
		{`{"dockerfile":"/src/Dockerfile","dockerfileContent":"FROM busybox\n"}`, `field "contextDir" is required with "dockerfileContent"`},
		{`{"contextDir":"src","dockerfileContent":"FROM busybox\n"}`, `field "contextDir": "src" is not an absolute path`},
	} {
		resp := d.do(t, "POST", "/v1/build", strings.NewReader(tc.body))
		if tc.refusal == "" {
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d, want 200: %+v", tc.body, resp.StatusCode, apiError(t, resp))
			}
			continue
		}
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.body, resp.StatusCode)
			continue
		}
		if e := apiError(t, resp); !strings.Contains(e.Message, tc.refusal) {
			t.Errorf("%s: %q, want %q", tc.body, e.Message, tc.refusal)
		}
	}
	if len(got) != 4 || got[0].Dockerfile != "docker/Dockerfile.dev" || got[0].ContextDir != "/src" ||
		got[3].Dockerfile != "/elsewhere/Dockerfile" || got[3].DockerfileContent != "FROM busybox\n" {
		t.Errorf("the builder got %+v", got)
	}
}
