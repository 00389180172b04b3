package container

import (
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestCgroupParent: a parent below the engine's cgroup root is kept as a
// relative path; anything that would leave it is refused.
func TestCgroupParent(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "web": "web", "web/backend": "web/backend", "web//backend/": "web/backend",
		"/container-runtime/web": "web", "/container-runtime": "", "a.b_c-d": "a.b_c-d",
	} {
		if got, err := cgroupParent(in); err != nil || got != want {
			t.Errorf("cgroupParent(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"..", "../escape", "a/../../escape", "web/..", "/escape", "/system.slice", "/", "/container-runtime/../x",
		"/container-runtimeX/a", ".hidden", "a/./b", "system.slice:docker:x", "a b", "a\nb",
		strings.Repeat("0", 64), strings.Repeat("a/", 17), strings.Repeat("a", 513),
	} {
		if got, err := cgroupParent(in); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("cgroupParent(%q) = %q, %v; want ErrInvalidArgument", in, got, err)
		}
	}
}

// FuzzCgroupParent: whatever a client sends, an accepted parent stays
// below the engine's cgroup root.
func FuzzCgroupParent(f *testing.F) {
	for _, s := range []string{"web", "../x", "/container-runtime/a", "a/../../b", "/", "a//b", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := cgroupParent(s)
		if err != nil {
			return
		}
		full := path.Join(engineCgroup, p, "id")
		if path.Clean(full) != full || !strings.HasPrefix(full, engineCgroup+"/") || strings.Contains(p, ":") ||
			strings.HasPrefix(p, ".") || strings.Contains(p, "/.") {
			t.Fatalf("cgroupParent(%q) = %q: %s is not below %s", s, p, full, engineCgroup)
		}
	})
}
