package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		testutil.Missing(tb, "needs root: mounting overlays")
	}
}

// mountpoint makes an empty directory to mount on, unmounted at cleanup and
// checked to be gone from the mount table.
func mountpoint(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "merged")
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := Unmount(dir); err != nil {
			tb.Errorf("cleanup: %v", err)
		}
		if m, _ := mountinfo.Mounted(dir); m {
			tb.Errorf("%s is still mounted", dir)
		}
	})
	return dir
}

// layer makes a layer directory from a spec: "path" is a directory when it
// ends in "/", "path=content" a file, "-path" a whiteout, "path/!" marks the
// directory path opaque.
func layer(tb testing.TB, spec ...string) string {
	tb.Helper()
	root := tb.TempDir()
	for _, s := range spec {
		switch {
		case strings.HasSuffix(s, "/!"):
			p := filepath.Join(root, strings.TrimSuffix(s, "/!"))
			if err := os.MkdirAll(p, 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := unix.Setxattr(p, "trusted.overlay.opaque", []byte("y"), 0); err != nil {
				tb.Fatal(err)
			}
		case strings.HasSuffix(s, "/"):
			if err := os.MkdirAll(filepath.Join(root, s), 0o755); err != nil {
				tb.Fatal(err)
			}
		case strings.HasPrefix(s, "-"):
			p := filepath.Join(root, s[1:])
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := unix.Mknod(p, unix.S_IFCHR, 0); err != nil {
				tb.Fatal(err)
			}
		default:
			name, content, _ := strings.Cut(s, "=")
			p := filepath.Join(root, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return root
}

// tree lists dir as "path" for directories and "path=content" for files.
func tree(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out = append(out, rel+"/")
			return nil
		}
		if d.Type()&fs.ModeCharDevice != 0 {
			out = append(out, "-"+rel)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, rel+"="+string(b))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	return out
}

type mountFunc func(target string, lowers []string, upper, work, opts string) error

// implementations runs a test against both mount paths: the new mount API
// (what Mount uses here) and the mount(2) fallback for kernels before 6.8.
func implementations() map[string]mountFunc {
	return map[string]mountFunc{
		"fsconfig": mountFS,
		"classic":  mountClassic,
	}
}

func TestMountThreeLayersWithWhiteouts(t *testing.T) {
	requireRoot(t)
	bottom := layer(t, "a=bottom", "d/x=x", "d/y=y", "gone=g", "opq/old=old", "keep=k")
	middle := layer(t, "a=middle", "-d/y", "-gone", "opq/!", "opq/new=new")
	top := layer(t, "b=top", "d/z=z")
	want := []string{"a=middle", "b=top", "d/", "d/x=x", "d/z=z", "keep=k", "opq/", "opq/new=new"}
	for name, mount := range implementations() {
		t.Run(name, func(t *testing.T) {
			target := mountpoint(t)
			if err := mount(target, []string{top, middle, bottom}, "", "", overlayOptions); err != nil {
				t.Fatal(err)
			}
			if got := tree(t, target); !reflect.DeepEqual(got, want) {
				t.Errorf("merged view:\n got %q\nwant %q", got, want)
			}
			if err := os.WriteFile(filepath.Join(target, "new"), nil, 0o644); err == nil {
				t.Errorf("a stack without upper directory is writable")
			}
		})
	}
}

func TestMountWithUpperRecordsChanges(t *testing.T) {
	requireRoot(t)
	lower1 := layer(t, "etc/passwd=root", "bin/sh=sh")
	lower2 := layer(t, "etc/hostname=h")
	upperRoot := t.TempDir()
	upper, work := filepath.Join(upperRoot, "diff"), filepath.Join(upperRoot, "work")
	for _, d := range []string{upper, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	target := mountpoint(t)
	if err := Mount(context.Background(), target, []string{lower2, lower1}, upper, work); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(target, "bin/sh")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "etc/new"), []byte("n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Unmount(target); err != nil {
		t.Fatal(err)
	}
	want := []string{"bin/", "-bin/sh", "etc/", "etc/new=n"}
	sort.Strings(want)
	if got := tree(t, upper); !reflect.DeepEqual(got, want) {
		t.Errorf("upper directory:\n got %q\nwant %q", got, want)
	}
	if got := tree(t, lower1); !reflect.DeepEqual(got, []string{"bin/", "bin/sh=sh", "etc/", "etc/passwd=root"}) {
		t.Errorf("lower layer changed: %q", got)
	}
}

func TestMountDeepStack(t *testing.T) {
	requireRoot(t)
	const depth = 200
	// Long layer paths, as a real store has them, so that the plain
	// option string would be far over a page.
	base := filepath.Join(t.TempDir(), strings.Repeat("x", 40))
	lowers := make([]string, depth) // top first
	for i := range depth {
		dir := filepath.Join(base, fmt.Sprintf("%064d", i), "diff")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "top"), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
		lowers[depth-1-i] = dir
	}
	if n := len(classicOptions(lowers, "", "", overlayOptions)); n < os.Getpagesize() {
		t.Fatalf("fixture too small to exercise the option limit: %d bytes", n)
	}
	for name, mount := range implementations() {
		t.Run(name, func(t *testing.T) {
			target := mountpoint(t)
			if err := mount(target, lowers, "", "", overlayOptions); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(target)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != depth+1 {
				t.Errorf("%d entries in the merged view, want %d", len(entries), depth+1)
			}
			b, err := os.ReadFile(filepath.Join(target, "top"))
			if err != nil || string(b) != fmt.Sprint(depth-1) {
				t.Errorf("top = %q (%v), want the topmost layer's %d", b, err, depth-1)
			}
		})
	}
}

func TestMountEdgeCases(t *testing.T) {
	requireRoot(t)
	only := layer(t, "f=only")
	upperRoot := t.TempDir()
	cases := []struct {
		name        string
		lowers      []string
		upper, work string
		wantErr     error
		want        []string
		writable    bool
	}{
		{name: "SingleLowerReadOnly", lowers: []string{only}, want: []string{"f=only"}},
		{name: "UpperOnly", upper: upperRoot, work: t.TempDir(), want: []string{}, writable: true},
		{name: "NoLayers", wantErr: errdefs.ErrInvalidArgument},
		{name: "UpperWithoutWork", lowers: []string{only}, upper: upperRoot, wantErr: errdefs.ErrInvalidArgument},
		{name: "MissingLower", lowers: []string{only, filepath.Join(upperRoot, "nope")}, wantErr: unix.ENOENT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := mountpoint(t)
			err := Mount(context.Background(), target, c.lowers, c.upper, c.work)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Mount error = %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := tree(t, target)
			if got == nil {
				got = []string{}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("mounted view %q, want %q", got, c.want)
			}
			err = os.WriteFile(filepath.Join(target, "w"), nil, 0o644)
			if c.writable != (err == nil) {
				t.Errorf("writable = %v, want %v", err == nil, c.writable)
			}
		})
	}
}

func TestUnmountNotMounted(t *testing.T) {
	if err := Unmount(t.TempDir()); err != nil {
		t.Errorf("Unmount of a plain directory: %v", err)
	}
	if err := Unmount(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("Unmount of a missing path: %v", err)
	}
}
