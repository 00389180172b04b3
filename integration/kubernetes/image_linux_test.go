package kubernetes

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// busyboxImage is the name the busybox image is imported under. It is the
// pods' sandbox (pause) image too: its command sleeps.
const busyboxImage = "docker.io/library/busybox:crt-test"

// busyboxArchive writes a docker-archive tar (what `docker save` writes
// and `ctr images import` reads) of a one-layer busybox image named
// busyboxImage whose command sleeps for a day, and returns its path.
func busyboxArchive(t testing.TB, dir string) string {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static (scripts/deps-debian installs it): %v", err)
	}
	rootfs := filepath.Join(dir, "busybox-rootfs")
	if err := busyboxfs.Create(rootfs); err != nil {
		t.Fatalf("making the busybox rootfs: %v", err)
	}
	defer os.RemoveAll(rootfs)
	layer := filepath.Join(dir, "layer.tar")
	if out, err := exec.Command("tar", "--numeric-owner", "-C", rootfs, "-cf", layer, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar of the busybox rootfs: %v\n%s", err, out)
	}
	defer os.Remove(layer)
	diffID := "sha256:" + fileDigest(t, layer)

	config, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config": map[string]any{
			"Cmd": []string{"/bin/sleep", "86400"},
			"Env": []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{diffID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := json.Marshal([]map[string]any{{
		"Config": "config.json", "RepoTags": []string{busyboxImage}, "Layers": []string{"layer.tar"},
	}})
	if err != nil {
		t.Fatal(err)
	}

	archive := filepath.Join(dir, "busybox-image.tar")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for name, data := range map[string][]byte{"config.json": config, "manifest.json": manifest} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	lf, err := os.Open(layer)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	st, err := lf.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: "layer.tar", Mode: 0o644, Size: st.Size()}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(tw, lf); err != nil {
		t.Fatalf("writing the layer into %s: %v", archive, err)
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("closing %s: %v", archive, err)
	}
	return archive
}

// fileDigest returns the hex sha256 of the file at path.
func fileDigest(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatalf("hashing %s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
