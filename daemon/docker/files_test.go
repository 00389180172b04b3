package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// fakeFiles adds daemon.ContainerFiles to fakeContainers.
type fakeFiles struct {
	*fakeContainers
	commit api.ContainerCommit
	put    string
}

func (f *fakeFiles) StatPath(_ context.Context, id, p string) (api.PathStat, error) {
	if id != "c1" || p != "/etc" {
		return api.PathStat{}, errdefs.Kindf(errdefs.ErrNotFound, "no such path %s", p)
	}
	return api.PathStat{Name: "etc", Mode: 0o755 | 1<<31}, nil
}

func (f *fakeFiles) CopyFrom(_ context.Context, id, p string, stat func(api.PathStat), w io.Writer) error {
	st, err := f.StatPath(context.Background(), id, p)
	if err != nil {
		return err
	}
	stat(st)
	_, err = io.WriteString(w, "TAR")
	return err
}

func (f *fakeFiles) CopyTo(_ context.Context, _, p string, _ api.CopyToOptions, r io.Reader) error {
	b, _ := io.ReadAll(r)
	f.put = p + ":" + string(b)
	return nil
}

func (f *fakeFiles) Changes(context.Context, string) ([]api.ContainerChange, error) {
	return []api.ContainerChange{{Path: "/tmp", Kind: api.ChangeModify}, {Path: "/tmp/x", Kind: api.ChangeAdd}}, nil
}

func (f *fakeFiles) Export(_ context.Context, _ string, w io.Writer) error {
	_, err := io.WriteString(w, "ROOTFS")
	return err
}

func (f *fakeFiles) Commit(_ context.Context, _ string, req api.ContainerCommit) (string, error) {
	f.commit = req
	return "sha256:abc", nil
}

func TestFilesRoutes(t *testing.T) {
	ff := &fakeFiles{fakeContainers: &fakeContainers{}}
	h := New(Config{Containers: ff})

	rec := serve(h, "HEAD", "/v1.41/containers/c1/archive?path=/etc", "")
	var st container.PathStat
	b, _ := base64.StdEncoding.DecodeString(rec.Header().Get("X-Docker-Container-Path-Stat"))
	if rec.Code != http.StatusOK || json.Unmarshal(b, &st) != nil || st.Name != "etc" || !st.Mode.IsDir() {
		t.Errorf("HEAD archive: %d %q", rec.Code, b)
	}
	if rec := serve(h, "HEAD", "/containers/c1/archive?path=/nope", ""); rec.Code != http.StatusNotFound || rec.Body.Len() != 0 {
		t.Errorf("HEAD archive of a missing path: %d %q", rec.Code, rec.Body)
	}
	if rec := serve(h, "GET", "/containers/c1/archive?path=/etc", ""); rec.Code != http.StatusOK || rec.Body.String() != "TAR" ||
		rec.Header().Get("X-Docker-Container-Path-Stat") == "" {
		t.Errorf("GET archive: %d %q", rec.Code, rec.Body)
	}
	if rec := serve(h, "GET", "/containers/c1/archive", ""); rec.Code != http.StatusBadRequest {
		t.Errorf("GET archive without a path: %d", rec.Code)
	}
	if rec := serve(h, "PUT", "/containers/c1/archive?path=/tmp", "data"); rec.Code != http.StatusOK || ff.put != "/tmp:data" {
		t.Errorf("PUT archive: %d %q", rec.Code, ff.put)
	}
	rec = serve(h, "GET", "/containers/c1/changes", "")
	var changes []container.FilesystemChange
	if json.Unmarshal(rec.Body.Bytes(), &changes) != nil || len(changes) != 2 || changes[1].Kind != container.ChangeAdd {
		t.Errorf("changes: %s", rec.Body)
	}
	if rec := serve(h, "GET", "/containers/c1/export", ""); rec.Body.String() != "ROOTFS" {
		t.Errorf("export: %q", rec.Body)
	}

	rec = serve(h, "POST", "/v1.41/commit?container=c1&repo=docker.io/library/snap&tag=v1&comment=m&author=a&changes=ENV+A%3D1",
		`{"Cmd": ["sh"], "Labels": {"k": "v"}, "Image": "busybox"}`)
	want := api.ContainerCommit{Reference: "snap:v1", Comment: "m", Author: "a", Pause: true,
		Changes: []string{"ENV A=1", `CMD ["sh"]`, `LABEL "k"="v"`}}
	if rec.Code != http.StatusCreated || ff.commit.Reference != want.Reference || !slices.Equal(ff.commit.Changes, want.Changes) ||
		!ff.commit.Pause || ff.commit.Comment != "m" || ff.commit.Author != "a" {
		t.Errorf("commit: %d %s: %+v", rec.Code, rec.Body, ff.commit)
	}
	if rec := serve(h, "POST", "/commit?container=c1&pause=0", "null"); rec.Code != http.StatusCreated || ff.commit.Pause {
		t.Errorf("commit pause=0: %d %+v", rec.Code, ff.commit)
	}
	if rec := serve(h, "POST", "/commit?container=c1", `{"Healthcheck": {"Test": ["NONE"]}}`); rec.Code != http.StatusBadRequest {
		t.Errorf("commit with a config field we cannot apply: %d", rec.Code)
	}
	if rec := serve(h, "POST", "/commit", ""); rec.Code != http.StatusBadRequest {
		t.Errorf("commit without a container: %d", rec.Code)
	}

	// Without ContainerFiles the routes say so.
	plain, _ := newTestHandler()
	if rec := serve(plain, "GET", "/containers/c1/changes", ""); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("changes without the service: %d", rec.Code)
	}
}

func TestImageSearchNotSupported(t *testing.T) {
	h, _ := newTestHandler()
	rec := serve(h, "GET", "/v1.41/images/search?term=busybox", "")
	if rec.Code != http.StatusNotImplemented || errorMessage(rec.Body.Bytes()) == "" {
		t.Errorf("search: %d %s", rec.Code, rec.Body)
	}
}
