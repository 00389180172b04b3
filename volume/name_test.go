package volume

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestCheckName checks Docker's rule for local volume names.
func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"data", true}, {"my.vol-1_x", true}, {"0a", true}, {strings.Repeat("a", 255), true},
		{"", false}, {"a", false}, {".", false}, {"..", false}, {"../x", false}, {"a/b", false},
		{"/abs", false}, {"-a", false}, {"_a", false}, {".hidden", false}, {"a b", false},
		{"a\x00b", false}, {"ü1", false}, {strings.Repeat("a", 256), false},
	} {
		err := CheckName(tc.name)
		if tc.ok != (err == nil) {
			t.Errorf("CheckName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("CheckName(%q) = %v, not ErrInvalidArgument", tc.name, err)
		}
	}
}

// FuzzCheckName checks that every name CheckName accepts is one path
// element of the volumes directory: joined to it, it names a direct
// child, never the directory itself, its parent or elsewhere.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"data", "..", "a/../..", "a..", "a.", "0-_.", "/x", "x\x00", ".a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckName(name) != nil {
			return
		}
		dir := "/var/lib/x/volumes"
		p := filepath.Join(dir, name)
		if filepath.Dir(p) != dir || filepath.Base(p) != name || name == "." || name == ".." {
			t.Fatalf("CheckName accepted %q, which joins to %q", name, p)
		}
	})
}
