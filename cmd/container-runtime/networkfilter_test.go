package main

import (
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestNetworkFilter(t *testing.T) {
	nets := []api.Network{
		{ID: "aaaa1111", Name: "bridge", Driver: "bridge"},
		{ID: "host", Name: "host", Driver: "host"},
		{ID: "bbbb2222", Name: "app_front", Driver: "bridge", Labels: map[string]string{"tier": "front", "env": "prod"}},
		{ID: "cccc3333", Name: "app_back", Driver: "bridge", Labels: map[string]string{"tier": "back"}},
	}
	for _, c := range []struct {
		filters []string
		want    []string
	}{
		{nil, []string{"bridge", "host", "app_front", "app_back"}},
		{[]string{"name=app"}, []string{"app_front", "app_back"}},
		{[]string{"name=front", "name=back"}, []string{"app_front", "app_back"}},
		{[]string{"type=custom"}, []string{"app_front", "app_back"}},
		{[]string{"type=builtin"}, []string{"bridge", "host"}},
		{[]string{"driver=host"}, []string{"host"}},
		{[]string{"id=bbbb"}, []string{"app_front"}},
		{[]string{"label=tier"}, []string{"app_front", "app_back"}},
		{[]string{"label=tier=back"}, []string{"app_back"}},
		{[]string{"label=tier", "label=env=prod"}, []string{"app_front"}},
		{[]string{"name=app", "driver=host"}, nil},
		{[]string{"scope=local"}, []string{"bridge", "host", "app_front", "app_back"}},
	} {
		f, err := parseNetworkFilter(c.filters)
		if err != nil {
			t.Fatalf("%v: %v", c.filters, err)
		}
		var got []string
		for _, n := range nets {
			if f.match(n) {
				got = append(got, n.Name)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%v: got %v, want %v", c.filters, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%v: got %v, want %v", c.filters, got, c.want)
			}
		}
	}
	for _, bad := range []string{"nope=1", "type=other", "name", "scope=moon"} {
		if _, err := parseNetworkFilter([]string{bad}); err == nil {
			t.Errorf("filter %q accepted", bad)
		}
	}
}
