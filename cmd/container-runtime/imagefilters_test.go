package main

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestImagesFilterFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want api.ImageListOptions
	}{
		{[]string{"images"}, api.ImageListOptions{}},
		{[]string{"images", "-a", "-f", "dangling=true"}, api.ImageListOptions{All: true, Filters: map[string][]string{"dangling": {"true"}}}},
		{[]string{"images", "busybox:1.*", "--filter", "label=a"}, api.ImageListOptions{Filters: map[string][]string{"reference": {"busybox:1.*"}, "label": {"a"}}}},
		{[]string{"image", "ls", "--filter", "reference=web", "--filter", "reference=db"}, api.ImageListOptions{Filters: map[string][]string{"reference": {"web", "db"}}}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			d := newFakeDaemon(t)
			var got api.ImageListOptions
			d.handle("GET /v1/images", func(w http.ResponseWriter, r *http.Request) {
				got.All = r.URL.Query().Get("all") == "1"
				if f := r.URL.Query().Get("filters"); f != "" {
					json.Unmarshal([]byte(f), &got.Filters)
				}
				answerJSON(w, 200, []api.ImageSummary{})
			})
			if r := d.run("", tc.args...); r.code != 0 {
				t.Fatalf("code %d stderr %q", r.code, r.stderr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("query %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestImagesDigestsAndRefusals(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/images", func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Query().Get("filters"), "bogus") {
			answerError(w, 400, api.KindInvalidArgument, "invalid filter 'bogus'")
			return
		}
		answerJSON(w, 200, []api.ImageSummary{{ID: "sha256:0123456789abcdef0123", Names: []string{"busybox:latest"}, Size: 1000}})
	})
	r := d.run("", "images", "--digests")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "REPOSITORY   TAG      DIGEST   IMAGE ID") ||
		!strings.HasPrefix(lines[1], "busybox      latest   <none>   0123456789ab") {
		t.Fatalf("--digests: code %d stdout %q", r.code, r.stdout)
	}
	if r := d.run("", "images", "-f", "bogus=1"); r.code != 1 || !strings.Contains(r.stderr, "invalid filter 'bogus'") {
		t.Fatalf("bad filter: code %d stderr %q, want 1", r.code, r.stderr)
	}
}
