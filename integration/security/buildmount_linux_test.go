package security

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCVE_2024_23651_RunMountBindEscape guards RUN --mount=type=bind
// against reaching host files (the class of BuildKit's CVE-2024-23651
// mount-source races and path escapes). The daemon stages a bind's source
// as root, so a source that climbs out of the context ("../host"), a
// context symlink to "/" or to a host directory, or a relative symlink
// climbing out, would put any host file in the step's container, to be
// copied into the image. The source is resolved inside the context as
// its root (openat2 RESOLVE_IN_ROOT), so each of these names a path of
// the context or nothing. A bind of another stage is read-only: a step
// writing into it fails.
func TestCVE_2024_23651_RunMountBindEscape(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	h := newCopyHost(t)
	// What the step tries to read through the mount, copied into /x;
	// it never fails the step, so that only the image tells.
	grab := "sh -c 'cat /m/secret /m/host/secret /m" + h.file + " /m/etc/shadow > /x 2>/dev/null; true'"

	t.Run("source climbing out of the context", func(t *testing.T) {
		ctx := h.context(t, "FROM busybox\nRUN --mount=type=bind,source=../host,target=/m "+grab+"\n", map[string]string{})
		buildMustRefuse(t, d, h, "bind-dotdot", ctx, "outside the build context", "not found in the build context")
	})
	for name, link := range map[string]string{
		"symlink to /":                  "/",
		"symlink to the host dir":       h.dir,
		"relative symlink climbing out": "../host",
	} {
		t.Run(name, func(t *testing.T) {
			ctx := h.context(t, "FROM busybox\nRUN --mount=type=bind,source=link,target=/m "+grab+"\n", map[string]string{"link": "-> " + link})
			img := "bind-" + strings.ReplaceAll(name, " ", "-")
			r := d.Run(t, "build", "-t", img, ctx)
			h.checkUntouched(t)
			if r.Code != 0 {
				// Refused is safe too, if it says why.
				if !strings.Contains(r.Stderr, "outside the build context") && !strings.Contains(r.Stderr, "not found") {
					t.Errorf("the build failed without saying why:\n%v", r)
				}
				return
			}
			imageLacks(t, d, img, h.sentinel)
			x := d.Run(t, "run", "--rm", "--network", "none", img, "cat", "/x")
			if h.shadow != "" && strings.Contains(x.Stdout, h.shadow) {
				t.Errorf("the image's /x holds the host's /etc/shadow")
			}
		})
	}
	t.Run("symlink to / in a stage mounted with from=", func(t *testing.T) {
		// No context check applies here: the stage's own symlinks are
		// resolved inside the stage's root.
		ctx := h.context(t, "FROM busybox AS s\nRUN ln -s / /escape && ln -s "+h.dir+" /hostdir\n"+
			"FROM busybox\nRUN --mount=type=bind,from=s,source=escape,target=/m "+grab+
			"\nRUN --mount=type=bind,from=s,source=hostdir,target=/m sh -c 'cat /m/secret >> /x 2>/dev/null; true'\n", map[string]string{})
		r := d.Run(t, "build", "-t", "bind-stage-symlink", ctx)
		h.checkUntouched(t)
		if r.Code != 0 {
			if !strings.Contains(r.Stderr, "not found") {
				t.Errorf("the build failed without saying why:\n%v", r)
			}
			return
		}
		imageLacks(t, d, "bind-stage-symlink", h.sentinel)
	})
	t.Run("a stage mounted with from= is read-only", func(t *testing.T) {
		ctx := h.context(t, "FROM busybox AS s\nRUN echo stage > /f\nFROM busybox\nRUN --mount=type=bind,from=s,target=/m sh -c 'echo pwned > /m/f'\n", map[string]string{})
		if r := d.Run(t, "build", "-t", "from-ro", ctx); r.Code == 0 {
			t.Errorf("a step wrote into a stage mounted read-only:\n%v", r)
		}
	})
}

// TestCVE_2024_23652_RunMountCachePathEscape guards the cache and stub
// paths of RUN --mount against writing or removing host files (the class
// of BuildKit's CVE-2024-23652, where removing a mount's stub followed a
// symlink the step made, and of cache ids used as paths). A cache id is
// the Dockerfile's: "../../victim" or "/etc" must not name a host
// directory, so caches live under the id's SHA-256. A step that replaces
// the parent of its mount point with a symlink to a host directory must
// not have the builder remove that directory's entry when it cleans the
// mount point out of the layer.
func TestCVE_2024_23652_RunMountCachePathEscape(t *testing.T) {
	d := daemon.New(t)
	d.Busybox(t)
	victim := t.TempDir()
	if err := os.Mkdir(filepath.Join(victim, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	climb := strings.Repeat("../", 20) + strings.TrimPrefix(victim, "/")
	for i, id := range []string{climb, victim, "/" + climb} {
		df := "FROM busybox\nRUN --mount=type=cache,id=" + id + ",target=/c sh -c 'echo escaped > /c/escaped'\n"
		ctx := filepath.Join(t.TempDir(), "ctx")
		if err := os.MkdirAll(ctx, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := d.Run(t, "build", "--no-cache", "-t", "cache-escape", ctx); r.Code != 0 {
			t.Fatalf("id %d: %v", i, r)
		}
	}
	if _, err := os.Stat(filepath.Join(victim, "escaped")); err == nil {
		t.Errorf("a cache id wrote into the host directory %s", victim)
	}
	entries, err := os.ReadDir(filepath.Join(d.Root, "buildcache"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if len(e.Name()) != 64 {
			t.Errorf("cache directory %q is not named by a hash", e.Name())
		}
	}

	t.Run("stub parent swapped for a symlink", func(t *testing.T) {
		df := "FROM busybox\nRUN --mount=type=tmpfs,target=/a/b sh -c 'cd / && mv a a2 2>/dev/null; rm -rf a 2>/dev/null; ln -s " + victim + " /a; true'\n"
		ctx := filepath.Join(t.TempDir(), "ctx")
		if err := os.MkdirAll(ctx, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		d.Run(t, "build", "-t", "stub-swap", ctx)
		if _, err := os.Stat(filepath.Join(victim, "b")); err != nil {
			t.Errorf("the builder removed the host directory %s/b through a symlink the step made: %v", victim, err)
		}
	})
}
