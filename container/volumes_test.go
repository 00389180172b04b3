package container

import (
	"errors"
	"slices"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestRequestedVolume checks the service's reading of a volume mount:
// the name (none: anonymous), the destination and the options ro, rw and
// nocopy, each refused when bad rather than ignored.
func TestRequestedVolume(t *testing.T) {
	for _, tc := range []struct {
		in   api.Mount
		want volumeMount
	}{
		{api.Mount{Type: "volume", Source: "data", Destination: "/d/"}, volumeMount{Name: "data", Destination: "/d", CopyPending: true}},
		{api.Mount{Type: "volume", Destination: "/d"}, volumeMount{Destination: "/d", Anonymous: true, CopyPending: true}},
		{api.Mount{Type: "volume", Source: "data", Destination: "/d", Options: []string{"ro, nocopy"}}, volumeMount{Name: "data", Destination: "/d", ReadOnly: true}},
		{api.Mount{Type: "volume", Source: "data", Destination: "/d", ReadOnly: true}, volumeMount{Name: "data", Destination: "/d", ReadOnly: true, CopyPending: true}},
	} {
		got, err := requestedVolume(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%+v = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []api.Mount{
		{Type: "volume", Source: "data", Destination: "d"},
		{Type: "volume", Source: "data", Destination: "/"},
		{Type: "volume", Source: "../x", Destination: "/d"},
		{Type: "volume", Source: "data", Destination: "/d", Options: []string{"rshared"}},
		{Type: "volume", Source: "data", Destination: "/d", Options: []string{"ro", "rw"}},
		{Type: "volume", Source: "data", Destination: "/d", ReadOnly: true, Options: []string{"rw"}},
	} {
		if _, err := requestedVolume(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%+v: %v, want invalid argument", bad, err)
		}
	}
}

// TestSortByDepth checks that parents are mounted before what lies below
// them, whatever the order given.
func TestSortByDepth(t *testing.T) {
	ms := []api.Mount{{Destination: "/data/conf/x"}, {Destination: "/b"}, {Destination: "/data/conf"}, {Destination: "/data/"}, {Destination: "/a"}}
	sortByDepth(ms)
	var got []string
	for _, m := range ms {
		got = append(got, m.Destination)
	}
	if want := []string{"/b", "/data/", "/a", "/data/conf", "/data/conf/x"}; !slices.Equal(got, want) {
		t.Errorf("sorted: %q, want %q", got, want)
	}
}
