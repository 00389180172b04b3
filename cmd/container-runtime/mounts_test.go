package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestMountFlagValidation checks -v's OPTIONS and --mount's fields as
// Docker validates them: what is accepted and what it becomes, and that
// an unknown or conflicting option fails with exit 125, naming it, before
// the daemon is called (rather than being passed on or ignored).
func TestMountFlagValidation(t *testing.T) {
	for _, tc := range []struct {
		flag, value string
		want        api.Mount
	}{
		{"-v", "/a:/b:ro,rslave,z", api.Mount{Type: "bind", Source: "/a", Destination: "/b", ReadOnly: true, Options: []string{"rslave", "z"}}},
		{"-v", "/a:/b:rw,delegated", api.Mount{Type: "bind", Source: "/a", Destination: "/b"}},
		{"--mount", "type=bind,src=/a,dst=/b,bind-propagation=shared,ro", api.Mount{Type: "bind", Source: "/a", Destination: "/b", ReadOnly: true, Options: []string{"shared"}}},
		{"--mount", "type=bind,src=/a,dst=/b,bind-nonrecursive=false,bind-recursive=enabled,consistency=cached", api.Mount{Type: "bind", Source: "/a", Destination: "/b"}},
		{"--mount", "type=tmpfs,dst=/t,tmpfs-size=1k,tmpfs-mode=700,readonly=1", api.Mount{Type: "tmpfs", Destination: "/t", ReadOnly: true, Options: []string{"size=1024", "mode=700"}}},
		// A name, not a path, is a named volume; a destination alone an
		// anonymous one.
		{"-v", "data:/b", api.Mount{Type: "volume", Source: "data", Destination: "/b"}},
		{"-v", "my.vol-1:/b:ro,nocopy,z", api.Mount{Type: "volume", Source: "my.vol-1", Destination: "/b", ReadOnly: true, Options: []string{"nocopy"}}},
		{"-v", "/b", api.Mount{Type: "volume", Destination: "/b"}},
		{"-v", "./data:/b", api.Mount{Type: "bind", Source: mustAbs(t, "data"), Destination: "/b"}},
		{"--mount", "type=volume,source=data,target=/b,readonly,volume-nocopy", api.Mount{Type: "volume", Source: "data", Destination: "/b", ReadOnly: true, Options: []string{"nocopy"}}},
		{"--mount", "type=volume,dst=/b,volume-driver=local,volume-nocopy=false", api.Mount{Type: "volume", Destination: "/b"}},
	} {
		var got []api.Mount
		var err error
		if tc.flag == "-v" {
			got, err = parseMounts([]string{tc.value}, nil, nil)
		} else {
			got, err = parseMounts(nil, []string{tc.value}, nil)
		}
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
			t.Errorf("%s %s = %+v, %v; want %+v", tc.flag, tc.value, got, err, tc.want)
		}
	}

	d := newFakeDaemon(t)
	for _, tc := range []struct{ flag, value, want string }{
		{"-v", "/a:/b:nosuid", `invalid option "nosuid"`},
		{"-v", "/a:/b:ro,rw", "ro and rw conflict: one access mode only"},
		{"-v", "/a:/b:ro,ro", "ro and ro conflict: one access mode only"},
		{"-v", "/a:/b:shared,rslave", "shared and rslave conflict: one propagation mode only"},
		{"-v", "/a:/b:z,Z", "z and Z conflict: one label only"},
		{"-v", "/a:/b:ro,,z", `invalid option ""`},
		{"-v", "/a:/b:nocopy", "nocopy applies to volumes, not to a bind mount"},
		{"-v", "data:/b:rshared", `option "rshared" is not valid for a volume`},
		{"-v", "data:/b:ro,rw", "ro and rw conflict"},
		{"-v", "data:b", "the destination must be an absolute path"},
		{"-v", "b", "want SRC:DST[:OPTIONS] or an absolute DST"},
		{"-v", ":/b", "the source is empty"},
		{"--mount", "type=volume,src=data,dst=/b,volume-driver=nfs", `volume-driver "nfs" is not supported`},
		{"--mount", "type=volume,src=data,dst=/b,volume-opt=type=tmpfs", `field "volume-opt" is not supported`},
		{"--mount", "type=volume,src=data,dst=/b,bind-propagation=shared", `field "bind-propagation" does not apply to a volume mount`},
		{"--mount", "type=npipe,src=data,dst=/b", "type must be bind, volume or tmpfs"},
		{"--mount", "type=bind,src=/a,dst=/b,bind-propagation=ro", `bind-propagation "ro": want one of private`},
		{"--mount", "type=bind,src=/a,dst=/b,bind-propagation=bogus", `bind-propagation "bogus"`},
		{"--mount", "type=bind,src=/a,dst=/b,bind-propagation", `field "bind-propagation" must be a KEY=VALUE pair`},
		{"--mount", "type=bind,src=/a,dst=/b,noexec=1", `unknown field "noexec"`},
		{"--mount", "type=bind,src=/a,dst=/b,tmpfs-size=1m", `field "tmpfs-size" does not apply to a bind mount`},
		{"--mount", "type=tmpfs,dst=/t,bind-propagation=shared", `field "bind-propagation" does not apply to a tmpfs mount`},
		{"--mount", "type=bind,src=/a,dst=/b,bind-nonrecursive", "bind-nonrecursive is not supported"},
		{"--mount", "type=bind,src=/a,dst=/b,bind-recursive=readonly", "bind-recursive=readonly is not supported"},
		{"--mount", "type=bind,src=/a,dst=/b,volume-nocopy", `field "volume-nocopy" does not apply to a bind mount`},
		{"--mount", "type=bind,src=/a,source=/c,dst=/b", `field "source" given twice`},
		{"--mount", "type=bind,src=/a,dst=/b,consistency=eventual", `consistency "eventual"`},
		{"--mount", "type=tmpfs,dst=/t,tmpfs-size=0", `tmpfs-size "0" is not a size`},
	} {
		t.Run(tc.flag+" "+tc.value, func(t *testing.T) {
			r := d.run("", "run", tc.flag, tc.value, "base")
			if r.code != 125 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("code %d, stderr %q; want 125 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
	if calls := d.called(); len(calls) != 0 {
		t.Errorf("the daemon was called: %q", calls)
	}
}

// mustAbs is path made absolute from the working directory.
func mustAbs(tb testing.TB, path string) string {
	tb.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		tb.Fatal(err)
	}
	return abs
}
