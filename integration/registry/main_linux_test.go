package registry

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// binaries are the programs under test.
type binaries struct {
	cli, daemon string
}

// bins is set once by TestMain, before any test runs, and only read after.
var bins binaries

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds the binaries (as root only: the tests skip otherwise)
// and runs the tests.
func runTests(m *testing.M) int {
	if os.Geteuid() != 0 {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "crt-regtest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "registry tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const mod = "github.com/container-runtime/container-runtime/"
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", mod+"cmd/container-runtime", mod+"cmd/container-runtimed")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "registry tests: building the binaries: %v\n%s", err, out)
		return 1
	}
	bins = binaries{cli: filepath.Join(dir, "container-runtime"), daemon: filepath.Join(dir, "container-runtimed")}
	return m.Run()
}
