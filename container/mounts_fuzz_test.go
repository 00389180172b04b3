package container

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// FuzzUserMounts checks how the daemon turns requested mounts (the API's
// form of -v, --mount and --tmpfs) into OCI mounts (seed corpus in
// testdata/fuzz/FuzzUserMounts). An absolute bind source is moved below a
// temporary directory, since userMounts creates a missing one. A request
// is refused as an invalid argument (or, for a bind source, with the
// error creating it), or gives one mount at the clean absolute destination
// other than "/", with no empty or comma-joined option; a bind mount is an
// rbind of the clean source, which then exists, with exactly one
// propagation mode and no option but those and "ro" (anything else is
// refused, never dropped); read-only means "ro". The same request twice
// is a duplicate mount point.
func FuzzUserMounts(f *testing.F) {
	f.Add("bind", "/src", "/dst", "", false)
	f.Add("", "/src/../x", "/a/../b/", "ro,rshared", true)
	f.Add("tmpfs", "", "/tmp", "size=64m,mode=1777", false)
	f.Add("tmpfs", "", "/run", "", true)
	f.Add("bind", "rel", "/d", "z,Z,nocopy,rw", false)
	f.Add("bind", "/s", "/", "", false)
	f.Add("bind", "/s", "/d/..", "", false)
	f.Add("volume", "v", "/d", "", false)
	f.Add("bind", "/s", "relative", "", false)
	f.Add("tmpfs", "", "/t", " , ,bind,rbind, private ", false)
	f.Add("bind", "/s", "/d", "shared;rslave", false)
	f.Add("bind", "/s", "/d", "nosuid", false)
	f.Add("bind", "/s", "/d", "rw", true)
	f.Add("tmpfs", "", "/t", "noexec,exec", false)
	f.Add("tmpfs", "", "/t", "size=", false)
	base := f.TempDir()
	f.Fuzz(func(t *testing.T, typ, src, dst, opts string, ro bool) {
		if strings.HasPrefix(src, "/") {
			src = filepath.Join(base, src)
		}
		m := api.Mount{Type: typ, Source: src, Destination: dst, ReadOnly: ro}
		if opts != "" {
			m.Options = strings.Split(opts, ";")
		}
		out, err := userMounts([]api.Mount{m})
		if err != nil {
			created := (typ == "bind" || typ == "") && strings.HasPrefix(err.Error(), "creating bind mount source") ||
				strings.HasPrefix(err.Error(), "bind mount source")
			if !errors.Is(err, errdefs.ErrInvalidArgument) && !created {
				t.Fatalf("userMounts(%+v): %v is not ErrInvalidArgument", m, err)
			}
			return
		}
		if len(out) != 1 {
			t.Fatalf("userMounts(%+v) = %+v", m, out)
		}
		o := out[0]
		if !filepath.IsAbs(o.Destination) || filepath.Clean(o.Destination) != o.Destination || o.Destination == "/" {
			t.Fatalf("userMounts(%+v): destination %q", m, o.Destination)
		}
		for _, opt := range o.Options {
			if opt == "" || strings.Contains(opt, ",") || opt != strings.TrimSpace(opt) {
				t.Fatalf("userMounts(%+v): option %q in %q", m, opt, o.Options)
			}
		}
		if ro && !slices.Contains(o.Options, "ro") {
			t.Fatalf("userMounts(%+v): read-only without ro: %q", m, o.Options)
		}
		switch o.Type {
		case "bind":
			if o.Source != filepath.Clean(src) || !strings.HasPrefix(o.Source, base) || o.Options[0] != "rbind" || !hasPropagation(o.Options) {
				t.Fatalf("userMounts(%+v) = %+v", m, o)
			}
			propagations := 0
			for _, opt := range o.Options[1:] {
				switch {
				case hasPropagation([]string{opt}):
					propagations++
				case opt != "ro":
					t.Fatalf("userMounts(%+v): option %q in %q", m, opt, o.Options)
				}
			}
			if propagations != 1 {
				t.Fatalf("userMounts(%+v): %d propagation modes in %q", m, propagations, o.Options)
			}
			if _, err := os.Stat(o.Source); err != nil {
				t.Fatalf("userMounts(%+v): source: %v", m, err)
			}
		case "tmpfs":
			if typ != "tmpfs" || o.Source != "tmpfs" {
				t.Fatalf("userMounts(%+v) = %+v", m, o)
			}
		default:
			t.Fatalf("userMounts(%+v) = %+v", m, o)
		}
		if _, err := userMounts([]api.Mount{m, m}); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Fatalf("userMounts of %+v twice: %v", m, err)
		}
	})
}
