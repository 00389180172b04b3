package builder

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// layerDir makes a layer directory: "p" a file, "p/" a directory, "p>t" a
// symlink to t, "p!" a whiteout, "p/!" an opaque directory.
func layerDir(tb testing.TB, spec ...string) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, s := range spec {
		var err error
		switch {
		case filepath.Base(s) == "!" || s[len(s)-2:] == "/!":
			p := filepath.Join(dir, s[:len(s)-2])
			if err = os.MkdirAll(p, 0o755); err == nil {
				err = unix.Setxattr(p, "trusted.overlay.opaque", []byte("y"), 0)
			}
		case s[len(s)-1] == '!':
			p := filepath.Join(dir, s[:len(s)-1])
			os.MkdirAll(filepath.Dir(p), 0o755)
			err = unix.Mknod(p, unix.S_IFCHR, 0)
		case s[len(s)-1] == '/':
			err = os.MkdirAll(filepath.Join(dir, s), 0o755)
		default:
			name, target, isLink := cut(s, ">")
			p := filepath.Join(dir, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if isLink {
				err = os.Symlink(target, p)
			} else {
				err = os.WriteFile(p, []byte(dir), 0o644)
			}
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func cut(s, sep string) (string, string, bool) {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

func TestLayerViewFollowsOverlayRules(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: makes whiteout devices and trusted xattrs")
	}
	bottom := layerDir(t, "etc/passwd", "etc/group", "opt/old", "usr/bin/tool", "gone/file", "keep/a")
	middle := layerDir(t, "etc/group!", "opt/!", "opt/new", "bin>usr/bin", "gone!")
	top := layerDir(t, "keep/b", "link>/etc/passwd", "loop>loop")
	v := layerView{dirs: []string{top, middle, bottom}}
	tests := []struct {
		path string
		from string // layer dir expected to provide it; "" for missing
	}{
		{"/etc/passwd", bottom},
		{"/etc/group", ""},
		{"/opt/old", ""},
		{"/opt/new", middle},
		{"/gone/file", ""},
		{"/gone", ""},
		{"/keep/a", bottom},
		{"/keep/b", top},
		{"/bin", middle},
	}
	for _, tt := range tests {
		host, _, err := v.lstat(tt.path)
		switch {
		case tt.from == "" && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("lstat %s = %s, %v; want not found", tt.path, host, err)
		case tt.from != "" && host != filepath.Join(tt.from, tt.path):
			t.Errorf("lstat %s = %s, %v; want it from %s", tt.path, host, err, tt.from)
		}
	}
	resolves := map[string]string{
		"/bin/tool":          "/usr/bin/tool",
		"/link":              "/etc/passwd",
		"/bin/../etc/passwd": "/usr/etc/passwd", // /bin is usr/bin: its .. is /usr
		"/link/../group":     "/etc/group",
		"/../../etc":         "/etc",
		"/bin/missing/x":     "/usr/bin/missing/x",
	}
	for in, want := range resolves {
		if got, err := v.resolve(in); err != nil || got != want {
			t.Errorf("resolve %s = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := v.resolve("/loop"); err == nil {
		t.Error("a symlink loop resolved")
	}
}
