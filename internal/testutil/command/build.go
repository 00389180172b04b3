package command

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// EnvOCIRuntime names a prebuilt container-runtime-oci to test instead of
// building one.
const EnvOCIRuntime = "CONTAINER_RUNTIME_OCI"

// OCIRuntime returns the container-runtime-oci to test: the file that
// $CONTAINER_RUNTIME_OCI names, or a fresh build of this module's command
// in a temporary directory of the test.
func OCIRuntime(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvOCIRuntime); p != "" {
		abs, err := filepath.Abs(p)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			t.Fatalf("$%s: %v", EnvOCIRuntime, err)
		}
		return abs
	}
	bin := filepath.Join(t.TempDir(), "container-runtime-oci")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin,
		"github.com/container-runtime/container-runtime/cmd/container-runtime-oci")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building container-runtime-oci: %v\n%s", err, out)
	}
	return bin
}
