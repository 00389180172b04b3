package daemon

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// fakeFiles is a container service that also serves containers' files.
type fakeFiles struct {
	*fakeContainers
	calls   []string
	putOpts api.CopyToOptions
	putBody string
	commit  api.ContainerCommit
}

var testStat = api.PathStat{Name: "hosts", Size: 12, Mode: 0o644, Mtime: time.Unix(1700000000, 0).UTC(), LinkTarget: ""}

func (f *fakeFiles) StatPath(_ context.Context, id, p string) (api.PathStat, error) {
	f.calls = append(f.calls, "stat "+id+" "+p)
	if p == "/missing" {
		return api.PathStat{}, errdefs.Kindf(errdefs.ErrNotFound, "Could not find the file /missing in container %s", id)
	}
	return testStat, nil
}

func (f *fakeFiles) CopyFrom(_ context.Context, id, p string, st func(api.PathStat), w io.Writer) error {
	f.calls = append(f.calls, "get "+id+" "+p)
	st(testStat)
	_, err := io.WriteString(w, "TAR")
	return err
}

func (f *fakeFiles) CopyTo(_ context.Context, id, p string, opts api.CopyToOptions, r io.Reader) error {
	f.calls = append(f.calls, "put "+id+" "+p)
	b, _ := io.ReadAll(r)
	f.putOpts, f.putBody = opts, string(b)
	return nil
}

func (f *fakeFiles) Changes(_ context.Context, id string) ([]api.ContainerChange, error) {
	f.calls = append(f.calls, "changes "+id)
	if id == "clean" {
		return nil, nil
	}
	return []api.ContainerChange{{Path: "/etc", Kind: api.ChangeModify}, {Path: "/etc/x", Kind: api.ChangeAdd}}, nil
}

func (f *fakeFiles) Export(_ context.Context, id string, w io.Writer) error {
	f.calls = append(f.calls, "export "+id)
	_, err := io.WriteString(w, "FS")
	return err
}

func (f *fakeFiles) Commit(_ context.Context, id string, req api.ContainerCommit) (string, error) {
	f.calls = append(f.calls, "commit "+id)
	f.commit = req
	return "sha256:abc", nil
}

func TestArchiveRoutes(t *testing.T) {
	f := &fakeFiles{fakeContainers: &fakeContainers{}}
	d := startDaemon(t, Config{Containers: f})
	q := "?path=" + url.QueryEscape("/etc/hosts")
	wantStat, _ := json.Marshal(testStat)

	resp := d.do(t, http.MethodHead, "/v1/containers/c1/archive"+q, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get(api.PathStatHeader) != base64.StdEncoding.EncodeToString(wantStat) {
		t.Errorf("HEAD: %d %q", resp.StatusCode, resp.Header.Get(api.PathStatHeader))
	}
	resp = d.do(t, http.MethodHead, "/v1/containers/c1/archive?path=/missing", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Header.Get(api.ErrorHeader), "Could not find the file /missing") {
		t.Errorf("HEAD of a missing path: %d %q", resp.StatusCode, resp.Header.Get(api.ErrorHeader))
	}
	resp = d.do(t, http.MethodGet, "/v1/containers/c1/archive"+q, nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "TAR" || resp.Header.Get("Content-Type") != contentTar ||
		resp.Header.Get(api.PathStatHeader) == "" {
		t.Errorf("GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp = d.do(t, http.MethodPut, "/v1/containers/c1/archive?path=/tmp&copyUIDGID=1&noOverwriteDirNonDir=true", strings.NewReader("IN"))
	if resp.StatusCode != http.StatusOK || f.putBody != "IN" || f.putOpts != (api.CopyToOptions{CopyUIDGID: true, NoOverwriteDirNonDir: true}) {
		t.Errorf("PUT: %d %q %+v", resp.StatusCode, f.putBody, f.putOpts)
	}
	for _, bad := range []string{"/v1/containers/c1/archive", "/v1/containers/c1/archive?path=/tmp&copyUIDGID=maybe"} {
		if resp := d.do(t, http.MethodPut, bad, strings.NewReader("IN")); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("PUT %s: %d", bad, resp.StatusCode)
		}
	}

	var changes []api.ContainerChange
	decodeBody(t, d.do(t, http.MethodGet, "/v1/containers/c1/changes", nil), &changes)
	if len(changes) != 2 || changes[1] != (api.ContainerChange{Path: "/etc/x", Kind: api.ChangeAdd}) {
		t.Errorf("changes %+v", changes)
	}
	resp = d.do(t, http.MethodGet, "/v1/containers/clean/changes", nil)
	if b, _ := io.ReadAll(resp.Body); strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("no changes: %q, want []", b)
	}
	resp = d.do(t, http.MethodGet, "/v1/containers/c1/export", nil)
	if b, _ := io.ReadAll(resp.Body); string(b) != "FS" {
		t.Errorf("export %q", b)
	}
	req := api.ContainerCommit{Reference: "img:1", Comment: "m", Author: "a", Changes: []string{"CMD x"}, Pause: true}
	b, _ := json.Marshal(req)
	resp = d.do(t, http.MethodPost, "/v1/containers/c1/commit", strings.NewReader(string(b)))
	var id api.IDResponse
	decodeBody(t, resp, &id)
	if resp.StatusCode != http.StatusCreated || id.ID != "sha256:abc" || !reflect.DeepEqual(f.commit, req) {
		t.Errorf("commit: %d %+v %+v", resp.StatusCode, id, f.commit)
	}
	if resp := d.do(t, http.MethodPost, "/v1/containers/c1/commit", strings.NewReader(`{"pause":"yes"}`)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("commit with a bad body: %d", resp.StatusCode)
	}
	want := []string{"stat c1 /etc/hosts", "stat c1 /missing", "get c1 /etc/hosts", "put c1 /tmp", "changes c1", "changes clean", "export c1", "commit c1"}
	if !reflect.DeepEqual(f.calls, want) {
		t.Errorf("calls %q, want %q", f.calls, want)
	}
}

// TestArchiveRoutesUnavailable: a container service without the files
// routes answers 503.
func TestArchiveRoutesUnavailable(t *testing.T) {
	d := startDaemon(t, Config{})
	for _, r := range [][2]string{{http.MethodGet, "/v1/containers/c1/archive?path=/"}, {http.MethodGet, "/v1/containers/c1/changes"}} {
		if resp := d.do(t, r[0], r[1], nil); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s %s: %d", r[0], r[1], resp.StatusCode)
		}
	}
}

// importer is an image service that imports with options.
type importer struct {
	*fakeImages
	opts api.ImageImportOptions
}

func (i *importer) ImportWith(_ context.Context, r io.Reader, opts api.ImageImportOptions, _ io.Writer) (string, error) {
	io.Copy(io.Discard, r)
	i.opts = opts
	return "sha256:imported", nil
}

func TestImportWithChanges(t *testing.T) {
	im := &importer{fakeImages: &fakeImages{}}
	d := startDaemon(t, Config{Images: im})
	q := url.Values{"name": {"x:1"}, "changes": {"ENV A=1", "CMD b"}, "message": {"hi"}}
	resp := d.do(t, http.MethodPost, "/v1/images/import?"+q.Encode(), strings.NewReader("tar"))
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "sha256:imported") ||
		!reflect.DeepEqual(im.opts, api.ImageImportOptions{Name: "x:1", Changes: []string{"ENV A=1", "CMD b"}, Message: "hi"}) {
		t.Errorf("import: %q %+v", b, im.opts)
	}
}
