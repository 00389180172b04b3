package main

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestPSFilterFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want api.ContainerListOptions
	}{
		{[]string{"ps"}, api.ContainerListOptions{}},
		{[]string{"ps", "-a", "--filter", "status=exited", "-f", "status=created", "-f", "label=a=b"},
			api.ContainerListOptions{All: true, Filters: map[string][]string{"status": {"exited", "created"}, "label": {"a=b"}}}},
		{[]string{"ps", "-n", "2"}, api.ContainerListOptions{Limit: 2}},
		{[]string{"ps", "-l", "-s"}, api.ContainerListOptions{Limit: 1, Size: true}},
		{[]string{"container", "ls", "-f", "name=web"}, api.ContainerListOptions{Filters: map[string][]string{"name": {"web"}}}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			d := newFakeDaemon(t)
			var got api.ContainerListOptions
			d.handle("GET /v1/containers", func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				got.All = q.Get("all") == "1"
				got.Size = q.Get("size") == "1"
				if l := q.Get("limit"); l != "" {
					json.Unmarshal([]byte(l), &got.Limit)
				}
				if f := q.Get("filters"); f != "" {
					json.Unmarshal([]byte(f), &got.Filters)
				}
				answerJSON(w, 200, []api.ContainerSummary{})
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

func TestPSSizeColumn(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, []api.ContainerSummary{{ID: "0123456789abcdef", Name: "web", Image: "busybox", State: "running", Status: "Up 1 second", SizeRw: 2, SizeRootFs: 1240000}})
	})
	r := d.run("", "ps", "-s")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 || !strings.HasSuffix(lines[0], "SIZE") || !strings.HasSuffix(lines[1], "2B (virtual 1.24MB)") {
		t.Fatalf("code %d stdout %q", r.code, r.stdout)
	}
	r = d.run("", "ps", "--format", "{{.Names}} {{.Size}}")
	if r.stdout != "web 2B (virtual 1.24MB)\n" {
		t.Fatalf("--format {{.Size}}: %q", r.stdout)
	}
}

func TestPSBadFilter(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		answerError(w, 400, api.KindInvalidArgument, "invalid filter 'bogus'")
	})
	if r := d.run("", "ps", "--filter", "bogus=1"); r.code != 1 || !strings.Contains(r.stderr, "invalid filter 'bogus'") {
		t.Errorf("unknown key: code %d stderr %q, want 1 and the daemon's message", r.code, r.stderr)
	}
	if r := d.run("", "ps", "--filter", "nokey"); r.code != 125 || !strings.Contains(r.stderr, "bad format of filter (expected name=value)") {
		t.Errorf("no '=': code %d stderr %q, want 125 (a flag error)", r.code, r.stderr)
	}
}
