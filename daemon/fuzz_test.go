package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// serveBody sends body to method path of a Server over cfg and returns
// the recorded answer.
func serveBody(h http.Handler, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkRefusal fails unless rec is a client-mistake answer (400 or 413)
// with an api.Error body: a request body can never make the daemon answer
// 500 or an empty success.
func checkRefusal(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d for a refused body: %s", rec.Code, rec.Body)
	}
	var e api.Error
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Message == "" || e.Kind != api.KindInvalidArgument {
		t.Fatalf("refusal body %q: %v", rec.Body, err)
	}
}

// FuzzDecodeContainerCreate sends arbitrary bodies to POST /v1/containers.
// A body is either refused as the client's mistake (400/413 with an error
// body) or decoded into a request that reaches the service with an image,
// and that survives a round trip through JSON unchanged.
func FuzzDecodeContainerCreate(f *testing.F) {
	for _, seed := range []string{
		`{"image":"busybox"}`,
		`{"image":"busybox","name":"web","cmd":["sh","-c","echo hi"],"env":["A=1"],"tty":true}`,
		`{"image":"busybox","stopTimeout":-1,"restartPolicy":{"name":"on-failure","maximumRetryCount":3}}`,
		`{"image":"busybox"} {"image":"x"}`,
		`{"image":1}`, `[]`, `null`, ``, `{"unknown":true}`, `{"image":"busybox"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got *api.ContainerCreate
		h := New(Config{Containers: &fakeContainers{create: func(_ context.Context, req api.ContainerCreate) (api.ContainerCreated, error) {
			got = &req
			return api.ContainerCreated{ID: "c1"}, nil
		}}, Images: &fakeImages{}}).Handler()
		rec := serveBody(h, "/v1/containers", body)
		if got == nil {
			checkRefusal(t, rec)
			return
		}
		if rec.Code != http.StatusCreated || got.Image == "" {
			t.Fatalf("status %d, image %q", rec.Code, got.Image)
		}
		roundTrip(t, got, &api.ContainerCreate{})
	})
}

// FuzzDecodeBuild sends arbitrary bodies to POST /v1/build. A body is
// refused as the client's mistake, or reaches the builder with a context
// that is absolute (or none, and then an absolute Dockerfile): the path
// rules of the route hold for every accepted request.
func FuzzDecodeBuild(f *testing.F) {
	for _, seed := range []string{
		`{"tags":["app"],"dockerfile":"/src/Dockerfile","buildArgs":{"V":"1"}}`,
		`{"contextDir":"/src","dockerfile":"docker/Dockerfile.dev","target":"build","noCache":true}`,
		`{"dockerfile":"/etc/shadow"}`, `{"dockerfile":"Dockerfile"}`, `{"contextDir":"src"}`,
		`{"contextDir":"/src","dockerfile":"../../etc/shadow"}`, `{}`, `{"tags":null,"network":"none"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got *api.BuildRequest
		h := New(Config{Containers: &fakeContainers{}, Images: &fakeImages{build: func(_ context.Context, req api.BuildRequest, _ io.Writer) (string, error) {
			got = &req
			return "sha256:1", nil
		}}}).Handler()
		rec := serveBody(h, "/v1/build", body)
		if got == nil {
			checkRefusal(t, rec)
			return
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d for an accepted build", rec.Code)
		}
		switch {
		case got.ContextDir != "" && !filepath.IsAbs(got.ContextDir):
			t.Fatalf("relative context %q accepted", got.ContextDir)
		case got.ContextDir == "" && !filepath.IsAbs(got.Dockerfile):
			t.Fatalf("Dockerfile %q accepted with no context", got.Dockerfile)
		}
		roundTrip(t, got, &api.BuildRequest{})
	})
}

// roundTrip checks that v encodes, decodes into fresh and encodes to the
// same bytes.
func roundTrip[T any](t *testing.T, v, fresh *T) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding the decoded request: %v", err)
	}
	if err := json.Unmarshal(b, fresh); err != nil {
		t.Fatalf("decoding %s again: %v", b, err)
	}
	b2, err := json.Marshal(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Fatalf("round trip changed the request:\n%s\n%s", b, b2)
	}
}
