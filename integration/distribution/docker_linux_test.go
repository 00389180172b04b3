package distribution

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/distribution"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/dockerd"
	"github.com/container-runtime/container-runtime/internal/testutil/registry"
)

const motd = "hello from the top layer\n"

// openStore opens an image store in a temporary directory.
func openStore(t testing.TB) *image.Store {
	t.Helper()
	s, err := image.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// commit commits a layer that fill makes.
func commit(t testing.TB, s *image.Store, fill func(dir string) error) digest.Digest {
	t.Helper()
	ctx := context.Background()
	w, err := s.NewLayer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := fill(w.Dir()); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	l, err := w.Commit(ctx)
	if err != nil {
		w.Abort()
		t.Fatal(err)
	}
	return l.DiffID
}

// busyboxImage registers a busybox image with a second layer holding
// /etc/motd and deleting /bin/vi (a whiteout).
func busyboxImage(t testing.TB, s *image.Store, name string) image.Image {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static (scripts/deps-debian installs it): %v", err)
	}
	base := commit(t, s, busyboxfs.Create)
	top := commit(t, s, func(dir string) error {
		for _, d := range []string{"etc", "bin"} {
			if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "etc", "motd"), []byte(motd), 0o644); err != nil {
			return err
		}
		return unix.Mknod(filepath.Join(dir, "bin", "vi"), unix.S_IFCHR, 0)
	})
	img, err := s.CreateImage(context.Background(), image.Image{
		Layers:  []digest.Digest{base, top},
		Created: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Config: ocispec.Image{Config: ocispec.ImageConfig{
			Env: []string{"PATH=" + image.DefaultPath}, Cmd: []string{"/bin/sh"},
		}},
		StartupCommands: [][]string{{"/bin/true"}},
	}, name)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// checkMotd checks the top layer's /etc/motd in s.
func checkMotd(t testing.TB, s *image.Store, img image.Image) {
	t.Helper()
	top := s.LayerDir(img.Layers[len(img.Layers)-1])
	if b, err := os.ReadFile(filepath.Join(top, "etc", "motd")); err != nil || string(b) != motd {
		t.Errorf("etc/motd: %q, %v", b, err)
	}
}

// runMotd runs the image in dockerd and checks what it sees.
func runMotd(t testing.TB, d *dockerd.Test, ref string) {
	t.Helper()
	out := d.MustDocker(t, "run", "--rm", "--network", "none", ref, "/bin/sh", "-c", "cat /etc/motd; test -e /bin/vi || echo vi-gone")
	if out != strings.TrimSpace(motd)+"\nvi-gone" {
		t.Errorf("docker run printed %q", out)
	}
}

// TestDockerRoundTrip exchanges images with a private dockerd through
// archives and a registry on 127.0.0.1, both ways.
func TestDockerRoundTrip(t *testing.T) {
	// It fails the test if the firewall changed when it stops.
	d := dockerd.New(t)
	ctx := context.Background()
	s := openStore(t)
	svc := distribution.New(s, distribution.Config{})
	host := registry.Start(t, registry.Credentials{})
	img := busyboxImage(t, s, "crt-busybox:1")
	tmp := t.TempDir()

	t.Run("our save, docker load and run", func(t *testing.T) {
		// dockerd 20.10 loads docker-archives only; FormatOCI is checked
		// by the unit tests against go-containerregistry's reader.
		archive := filepath.Join(tmp, "ours.tar")
		f, err := os.Create(archive)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Save(ctx, []string{"crt-busybox:1"}, f, distribution.FormatDocker); err != nil {
			t.Fatalf("Save: %v", err)
		}
		f.Close()
		out := d.MustDocker(t, "load", "-i", archive)
		if !strings.Contains(out, "crt-busybox:1") {
			t.Errorf("docker load said %q", out)
		}
		if id := d.MustDocker(t, "image", "inspect", "--format", "{{.Id}}", "crt-busybox:1"); id != img.ID.String() {
			t.Errorf("docker's id %s, ours %s", id, img.ID)
		}
		runMotd(t, d, "crt-busybox:1")
	})

	t.Run("docker save, our load", func(t *testing.T) {
		archive := filepath.Join(tmp, "docker.tar")
		d.MustDocker(t, "save", "-o", archive, "crt-busybox:1")
		dst := openStore(t)
		f, err := os.Open(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		imgs, err := distribution.New(dst, distribution.Config{}).Load(ctx, f, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if len(imgs) != 1 || imgs[0].ID != img.ID || len(imgs[0].StartupCommands) != 1 {
			t.Fatalf("loaded %+v, want id %s with its startup command", imgs, img.ID)
		}
		checkMotd(t, dst, imgs[0])
	})

	t.Run("our push, docker pull and run", func(t *testing.T) {
		ref := host + "/ours/busybox:1"
		if err := s.Tag(ctx, "crt-busybox:1", ref); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Push(ctx, ref, distribution.PushOptions{}); err != nil {
			t.Fatalf("Push: %v", err)
		}
		d.MustDocker(t, "pull", ref)
		if id := d.MustDocker(t, "image", "inspect", "--format", "{{.Id}}", ref); id != img.ID.String() {
			t.Errorf("docker's id %s, ours %s", id, img.ID)
		}
		runMotd(t, d, ref)
	})

	t.Run("docker push, our pull", func(t *testing.T) {
		ref := host + "/docker/busybox:1"
		d.MustDocker(t, "tag", "crt-busybox:1", ref)
		d.MustDocker(t, "push", ref)
		dst := openStore(t)
		got, err := distribution.New(dst, distribution.Config{}).Pull(ctx, ref, distribution.PullOptions{})
		if err != nil {
			t.Fatalf("Pull: %v", err)
		}
		if got.ID != img.ID {
			t.Errorf("pulled id %s, want %s", got.ID, img.ID)
		}
		checkMotd(t, dst, got)
	})

	t.Run("docker's own image both ways", func(t *testing.T) {
		// An image docker made from a tarball of its own: its layer is
		// docker's tar, which our rendering does not reproduce.
		rootfs := filepath.Join(tmp, "rootfs")
		if err := busyboxfs.Create(rootfs); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rootfs, "etc", "motd"), []byte(motd), 0o644); err != nil {
			t.Fatal(err)
		}
		tarball := filepath.Join(tmp, "rootfs.tar")
		writeTar(t, rootfs, tarball)
		d.MustDocker(t, "import", "--change", `CMD ["/bin/sh"]`, tarball, "docker-made:1")
		archive := filepath.Join(tmp, "docker-made.tar")
		d.MustDocker(t, "save", "-o", archive, "docker-made:1")
		dst := openStore(t)
		dsvc := distribution.New(dst, distribution.Config{})
		f, err := os.Open(archive)
		if err != nil {
			t.Fatal(err)
		}
		imgs, err := dsvc.Load(ctx, f, nil)
		f.Close()
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if len(imgs) != 1 || imgs[0].Names[0] != "docker-made:1" {
			t.Fatalf("loaded %+v", imgs)
		}
		checkMotd(t, dst, imgs[0])

		// Back to docker under another name: it runs.
		if err := dst.Tag(ctx, "docker-made:1", "docker-made:back"); err != nil {
			t.Fatal(err)
		}
		back := filepath.Join(tmp, "back.tar")
		out, err := os.Create(back)
		if err != nil {
			t.Fatal(err)
		}
		if err := dsvc.Save(ctx, []string{"docker-made:back"}, out, distribution.FormatDocker); err != nil {
			t.Fatalf("Save: %v", err)
		}
		out.Close()
		d.MustDocker(t, "load", "-i", back)
		if got := d.MustDocker(t, "run", "--rm", "--network", "none", "docker-made:back", "cat", "/etc/motd"); got != strings.TrimSpace(motd) {
			t.Errorf("docker run printed %q", got)
		}
	})
}

// writeTar writes dir as a plain tar (Go's archive/tar, directory order),
// as a user would make one for docker import.
func writeTar(t testing.TB, dir, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
