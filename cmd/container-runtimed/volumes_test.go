package main

import (
	"errors"
	"slices"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestVolumeFilter checks Docker's volume filters: name is a substring
// (any of several), label KEY or KEY=VALUE (all of several), label! the
// opposite, dangling whether no container uses the volume; an unknown
// key or a bad dangling value is refused.
func TestVolumeFilter(t *testing.T) {
	vols := []api.Volume{
		{Name: "data1", Labels: map[string]string{"tier": "db", "keep": ""}, UsedBy: []string{"c1"}},
		{Name: "data2", Labels: map[string]string{"tier": "web"}},
		{Name: "cache"},
	}
	for _, tc := range []struct {
		filters map[string][]string
		want    []string
	}{
		{nil, []string{"data1", "data2", "cache"}},
		{map[string][]string{"name": {"ta"}}, []string{"data1", "data2"}},
		{map[string][]string{"name": {"ta1", "cac"}}, []string{"data1", "cache"}},
		{map[string][]string{"label": {"tier"}}, []string{"data1", "data2"}},
		{map[string][]string{"label": {"tier=db"}}, []string{"data1"}},
		{map[string][]string{"label": {"tier", "keep"}}, []string{"data1"}},
		{map[string][]string{"label!": {"tier=db"}}, []string{"data2", "cache"}},
		{map[string][]string{"dangling": {"true"}}, []string{"data2", "cache"}},
		{map[string][]string{"dangling": {"0"}}, []string{"data1"}},
		{map[string][]string{"name": {"data"}, "dangling": {"true"}}, []string{"data2"}},
	} {
		match, err := volumeFilter(tc.filters, "name", "label", "label!", "dangling")
		if err != nil {
			t.Fatalf("%v: %v", tc.filters, err)
		}
		var got []string
		for _, v := range vols {
			if match(v) {
				got = append(got, v.Name)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v: %q, want %q", tc.filters, got, tc.want)
		}
	}
	for _, bad := range []map[string][]string{{"driver": {"local"}}, {"dangling": {"maybe"}}} {
		if _, err := volumeFilter(bad, "name", "label", "dangling"); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%v: %v, want invalid argument", bad, err)
		}
	}
	// prune takes label filters only.
	if _, err := volumeFilter(map[string][]string{"dangling": {"true"}}, "label", "label!"); err == nil {
		t.Error("prune accepted a dangling filter")
	}
}
