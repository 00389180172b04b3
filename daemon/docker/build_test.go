package docker

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestParseBuild(t *testing.T) {
	q := url.Values{
		"t": {"a:1", "b"}, "dockerfile": {"sub/Dockerfile.dev"}, "target": {"final"}, "nocache": {"1"},
		"buildargs": {`{"X":"1","UNSET":null}`}, "rm": {"1"}, "pull": {"1"}, "ulimits": {"null"},
		"networkmode": {"default"}, "cachefrom": {"[]"}, "version": {"1"},
	}
	o, err := parseBuild(httptest.NewRequest("POST", "/build?"+q.Encode(), nil))
	if err != nil {
		t.Fatal(err)
	}
	r := o.req
	if strings.Join(r.Tags, ",") != "a:1,b" || r.Dockerfile != "sub/Dockerfile.dev" || r.Target != "final" || !r.NoCache ||
		r.BuildArgs["X"] != "1" || len(r.BuildArgs) != 1 || r.Network != "" || r.EntrypointMeaning != "docker" {
		t.Errorf("parseBuild: %+v", r)
	}
	for _, bad := range []string{
		"version=2", "remote=https://x/y.git", "dockerfile=../Dockerfile", "dockerfile=a/../../D",
		"buildargs=%5B1%5D", "labels=x", "extrahosts=h:1.2.3.4", "ulimits=%5B%7B%7D%5D", "isolation=hyperv",
		"labels=%7B%22a%22%3A%22b%22%7D&target=x",
	} {
		if _, err := parseBuild(httptest.NewRequest("POST", "/build?"+bad, nil)); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("parseBuild(%s): %v, want ErrInvalidArgument", bad, err)
		}
	}
}

func TestLabelLines(t *testing.T) {
	got := labelLines(map[string]string{"b": "two words", "a": `q"uote $HOME`})
	want := "\nLABEL \"a\"=\"q\\\"uote \\$HOME\" \"b\"=\"two words\"\n"
	if got != want {
		t.Errorf("labelLines = %q, want %q", got, want)
	}
	if labelLines(nil) != "" {
		t.Error("no labels must add nothing")
	}
}

// TestReadDockerfile: the Dockerfile is read inside the context only, a
// symlink out of it included.
func TestReadDockerfile(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("FROM secret\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\n"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "escape"))
	if got, err := readDockerfile(dir, "Dockerfile"); err != nil || got != "FROM busybox\n" {
		t.Errorf("readDockerfile: %q %v", got, err)
	}
	if got, err := readDockerfile(dir, "escape"); err == nil {
		t.Errorf("a symlink out of the context was read: %q", got)
	}
	if _, err := readDockerfile(dir, "missing"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("a missing Dockerfile: %v", err)
	}
}
