package container

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestListFilterMatch(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	web := &record{ID: "abc123", Name: "web", Created: t0, ImageID: "sha256:img1", Network: "bridge",
		Config: api.ContainerCreate{Image: "nginx", Labels: map[string]string{"tier": "front", "env": "prod"},
			Mounts: []api.Mount{{Type: "bind", Source: "/srv/www", Destination: "/www"}}},
		Volumes: []volumeMount{{Name: "webdata", Destination: "/data", Source: "/root/volumes/webdata/_data"}},
		State:   runState{Status: StateRunning}}
	job := &record{ID: "def456", Name: "job", Created: t0.Add(time.Minute), ImageID: "sha256:img2", Network: "none",
		Config: api.ContainerCreate{Image: "busybox"},
		State:  runState{Status: StateExited, ExitCode: 3}}
	before, since := t0.Add(30*time.Second), t0.Add(30*time.Second)
	for _, tc := range []struct {
		name    string
		f       listFilter
		web, jb bool
	}{
		{"empty", listFilter{}, true, true},
		{"name regexp", listFilter{names: []*regexp.Regexp{regexp.MustCompile("^we")}}, true, false},
		{"name with docker's slash", listFilter{names: []*regexp.Regexp{regexp.MustCompile("^/job$")}}, false, true},
		{"names are alternatives", listFilter{names: []*regexp.Regexp{regexp.MustCompile("web"), regexp.MustCompile("job")}}, true, true},
		{"label key", listFilter{labels: []string{"tier"}}, true, false},
		{"label key=value", listFilter{labels: []string{"tier=front"}}, true, false},
		{"label wrong value", listFilter{labels: []string{"tier=back"}}, false, false},
		{"labels must all hold", listFilter{labels: []string{"tier=front", "env=dev"}}, false, false},
		{"status alternatives", listFilter{statuses: []string{"exited", "created"}}, false, true},
		{"ancestor by id", listFilter{ancestor: []ancestorRef{{ref: "sha256:img1", id: "sha256:img1"}}}, true, false},
		{"ancestor by name as written", listFilter{ancestor: []ancestorRef{{ref: "busybox"}}}, false, true},
		{"id prefix", listFilter{ids: []string{"def"}}, false, true},
		{"id is a prefix, not a substring", listFilter{ids: []string{"123"}}, false, false},
		{"network", listFilter{networks: []string{"bridge"}}, true, false},
		{"exited code", listFilter{exited: []int{3}}, false, true},
		{"exited other code", listFilter{exited: []int{0}}, false, false},
		{"before", listFilter{created: api.CreatedRange{Before: &before}}, true, false},
		{"since", listFilter{created: api.CreatedRange{Since: &since}}, false, true},
		{"volume by name", listFilter{volumes: []string{"webdata"}}, true, false},
		{"volume by destination", listFilter{volumes: []string{"/www"}}, true, false},
		{"volume by bind source", listFilter{volumes: []string{"/srv/www"}}, true, false},
		{"volume not a volume's host path", listFilter{volumes: []string{"/root/volumes/webdata/_data", "other"}}, false, false},
		{"different keys must all hold", listFilter{statuses: []string{"running"}, labels: []string{"env=prod"}, networks: []string{"none"}}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.match(web); got != tc.web {
				t.Errorf("web: match = %v, want %v", got, tc.web)
			}
			if got := tc.f.match(job); got != tc.jb {
				t.Errorf("job: match = %v, want %v", got, tc.jb)
			}
		})
	}
}

func TestParseListFilterRejects(t *testing.T) {
	s := &Service{containers: map[string]*entry{}}
	for _, tc := range []struct {
		filters map[string][]string
		want    string
		kind    error
	}{
		{map[string][]string{"bogus": {"1"}}, "invalid filter 'bogus'", errdefs.ErrInvalidArgument},
		{map[string][]string{"status": {"sleeping"}}, "invalid filter 'status=sleeping'", errdefs.ErrInvalidArgument},
		{map[string][]string{"exited": {"x"}}, "invalid filter 'exited=x'", errdefs.ErrInvalidArgument},
		{map[string][]string{"name": {"("}}, "invalid filter 'name=('", errdefs.ErrInvalidArgument},
		{map[string][]string{"before": {"nosuch"}}, "no such container: nosuch", errdefs.ErrNotFound},
	} {
		_, err := s.parseListFilter(context.Background(), tc.filters)
		if err == nil || !errors.Is(err, tc.kind) || !regexp.MustCompile(regexp.QuoteMeta(tc.want)).MatchString(err.Error()) {
			t.Errorf("%v: error %v, want %q (%v)", tc.filters, err, tc.want, tc.kind)
		}
	}
	if _, err := s.ListFiltered(context.Background(), api.ContainerListOptions{Limit: -1}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("limit -1: error %v, want ErrInvalidArgument", err)
	}
}
