package distribution

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/distribution"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
)

// seeMotd prints the top layer's file and whether the whiteout hid /bin/vi.
const seeMotd = "cat /etc/motd; test -e /bin/vi || echo vi-gone"

// archiveFormat is one of podman's archive formats and our Save's name
// for it.
type archiveFormat struct{ name, ours string }

// archiveFormats are the formats both sides write and read; docker-archive
// last (see TestPodmanRoundTrip).
func archiveFormats() []archiveFormat {
	return []archiveFormat{
		{"oci-archive", distribution.FormatOCI},
		{"docker-archive", distribution.FormatDocker},
	}
}

// checkBusybox checks the bottom layer's /bin/busybox against the host's.
func checkBusybox(t testing.TB, s *image.Store, img image.Image) {
	t.Helper()
	want, err := os.ReadFile(busyboxfs.Binary)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(s.LayerDir(img.Layers[0]), "bin", "busybox"))
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(got) != sha256.Sum256(want) {
		t.Errorf("bin/busybox: %d bytes differing from the host's %d", len(got), len(want))
	}
}

// saveTo saves refs from svc into a new file at path.
func saveTo(t testing.TB, svc *distribution.Service, path, format string, refs ...string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := svc.Save(context.Background(), refs, f, format); err != nil {
		t.Fatalf("Save %s: %v", format, err)
	}
}

// loadFrom loads the archive at path into a new store.
func loadFrom(t testing.TB, path string) (*image.Store, []image.Image) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dst := openStore(t)
	imgs, err := distribution.New(dst, distribution.Config{}).Load(context.Background(), f, nil)
	if err != nil {
		t.Fatalf("Load %s: %v", filepath.Base(path), err)
	}
	return dst, imgs
}

// TestPodmanRoundTrip exchanges images with podman (private storage,
// runc) through archives in both formats, both ways: our save, podman load
// and run; podman save, our load and our run; and an image podman made
// itself, there and back.
func TestPodmanRoundTrip(t *testing.T) {
	testutil.RequireRoot(t)
	p := startPodman(t)
	s := openStore(t)
	svc := distribution.New(s, distribution.Config{})
	img := busyboxImage(t, s, "crt-busybox:1")
	oci := command.OCIRuntime(t)
	tmp := t.TempDir()
	wantMotd := strings.TrimSpace(motd) + "\nvi-gone"

	// Each case replaces podman's copy of the image with one loaded from
	// our archive; the docker-archive case goes last and its copy stays
	// for the podman save cases.
	for _, f := range archiveFormats() {
		t.Run("our "+f.name+", podman load and run", func(t *testing.T) {
			archive := filepath.Join(tmp, "ours-"+f.name+".tar")
			saveTo(t, svc, archive, f.ours, "crt-busybox:1")
			p.mustPodman(t, "rmi", "--ignore", "--force", img.ID.Encoded())
			out := p.mustPodman(t, "load", "-i", archive)
			if !strings.Contains(out, "crt-busybox:1") {
				t.Errorf("podman load said %q", out)
			}
			if id := p.mustPodman(t, "image", "inspect", "--format", "{{.Id}}", "crt-busybox:1"); id != img.ID.Encoded() {
				t.Errorf("podman's id %s, ours %s", id, img.ID.Encoded())
			}
			if got := p.mustPodman(t, p.runArgs("crt-busybox:1", "/bin/busybox", "echo", "hi")...); got != "hi" {
				t.Errorf("podman run echo printed %q", got)
			}
			if got := p.mustPodman(t, p.runArgs("crt-busybox:1", "/bin/busybox", "sh", "-c", seeMotd)...); got != wantMotd {
				t.Errorf("podman run printed %q, want %q", got, wantMotd)
			}
		})
	}

	for _, f := range archiveFormats() {
		t.Run("podman "+f.name+", our load and run", func(t *testing.T) {
			archive := filepath.Join(tmp, "podman-"+f.name+".tar")
			p.mustPodman(t, "save", "--format", f.name, "-o", archive, "crt-busybox:1")
			dst, imgs := loadFrom(t, archive)
			if len(imgs) != 1 || imgs[0].ID != img.ID || len(imgs[0].StartupCommands) != 1 {
				t.Fatalf("loaded %+v, want id %s with its startup command", imgs, img.ID)
			}
			t.Logf("names from podman's %s: %q", f.name, imgs[0].Names)
			checkMotd(t, dst, imgs[0])
			checkBusybox(t, dst, imgs[0])
			if got := ourRun(t, oci, dst, imgs[0], p.cgroupParent, "/bin/busybox", "sh", "-c", seeMotd); got != wantMotd {
				t.Errorf("our run printed %q, want %q", got, wantMotd)
			}
		})
	}

	t.Run("podman's own image both ways", func(t *testing.T) {
		// An image podman made from a tarball: its layer is podman's tar.
		rootfs := filepath.Join(tmp, "rootfs")
		if err := busyboxfs.Create(rootfs); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rootfs, "etc", "motd"), []byte(motd), 0o644); err != nil {
			t.Fatal(err)
		}
		tarball := filepath.Join(tmp, "rootfs.tar")
		writeTar(t, rootfs, tarball)
		p.mustPodman(t, "import", "--change", `CMD ["/bin/sh"]`, tarball, "podman-made:1")
		for _, f := range archiveFormats() {
			archive := filepath.Join(tmp, "podman-made-"+f.name+".tar")
			p.mustPodman(t, "save", "--format", f.name, "-o", archive, "podman-made:1")
			dst, imgs := loadFrom(t, archive)
			if len(imgs) != 1 || len(imgs[0].Names) != 1 || !strings.HasSuffix(imgs[0].Names[0], "podman-made:1") {
				t.Fatalf("loaded from %s: %+v", f.name, imgs)
			}
			checkMotd(t, dst, imgs[0])
			checkBusybox(t, dst, imgs[0])
			if got := ourRun(t, oci, dst, imgs[0], p.cgroupParent, "cat", "/etc/motd"); got != strings.TrimSpace(motd) {
				t.Errorf("our run of podman's %s printed %q", f.name, got)
			}

			// Back to podman under another name: it runs.
			back := "podman-made:back-" + f.name
			if err := dst.Tag(context.Background(), imgs[0].Names[0], back); err != nil {
				t.Fatal(err)
			}
			backArchive := filepath.Join(tmp, "back-"+f.name+".tar")
			saveTo(t, distribution.New(dst, distribution.Config{}), backArchive, f.ours, back)
			p.mustPodman(t, "load", "-i", backArchive)
			if got := p.mustPodman(t, p.runArgs(back, "cat", "/etc/motd")...); got != strings.TrimSpace(motd) {
				t.Errorf("podman run of our %s printed %q", f.name, got)
			}
		}
	})
}
