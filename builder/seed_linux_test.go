package builder

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// seedExamples is the repository's copy of the seed's examples
// (../shared/examples).
const seedExamples = "../examples"

// TestSeedExamplesOnBase builds the seed's examples on the real Debian base
// made by debootstrap; nginx and nodejs install packages with apt-get over
// the host network. debootstrap's downloads and result are cached in
// CRT_TEST_CACHE (default /var/cache/container-runtime-test), shared with
// the image package's tests, so only the first run on a machine pays for
// the download.
func TestSeedExamplesOnBase(t *testing.T) {
	requireRoot(t)
	testutil.SkipShort(t, "bootstraps a Debian base and installs packages")
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Fatal("debootstrap is needed (apt-get install debootstrap)")
	}
	examples, err := filepath.Abs(seedExamples)
	if err != nil {
		t.Fatal(err)
	}
	cache := "/var/cache/container-runtime-test/debootstrap"
	if d := os.Getenv("CRT_TEST_CACHE"); d != "" {
		cache = filepath.Join(d, "debootstrap")
	}
	s := newTestStore(t)
	ctx := context.Background()
	if _, err := image.Bootstrap(ctx, s, image.BootstrapOptions{CacheDir: cache}); err != nil {
		t.Fatalf("bootstrapping base: %v", err)
	}
	b := &Builder{Store: s, Runner: testRunner(t)}
	tests := []struct {
		name    string
		startup [][]string
		files   []string
	}{
		{name: "bash", files: []string{"/home/even.sh", "/home/odd.sh"}},
		{name: "nginx", startup: [][]string{{"/bin/sh", "-c", "/etc/init.d/nginx start"}}, files: []string{"/init", "/usr/sbin/nginx"}},
		{name: "nodejs", files: []string{"/init", "/app/server.js", "/usr/bin/node"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			img, err := b.Build(ctx, Options{
				Dockerfile: filepath.Join(examples, tt.name, "Dockerfile"),
				Tags:       []string{tt.name},
				Progress:   &out,
			})
			if err != nil {
				t.Fatalf("building %s: %v\n%s", tt.name, err, out.String())
			}
			view := layerView{dirs: s.LowerDirs(img.Layers)}
			for _, f := range tt.files {
				_, fi, err := view.stat(f)
				if err != nil {
					t.Errorf("%s missing: %v", f, err)
				} else if strings.HasSuffix(f, ".sh") && fi.Mode()&0o111 == 0 {
					t.Errorf("%s is not executable: %v", f, fi.Mode())
				}
			}
			if len(tt.startup) > 0 && !equalCommands(img.StartupCommands, tt.startup) {
				t.Errorf("startup commands %q, want %q", img.StartupCommands, tt.startup)
			}
		})
	}
}

// equalCommands compares two lists of command lines.
func equalCommands(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}
