package daemon

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
	cli, daemon, oci string
}

// bins is set once by Main, before any test runs, and only read after.
var bins binaries

// envBinDir names a directory of prebuilt binaries to test instead of
// building them.
const envBinDir = "CRT_E2E_BIN"

// Main builds the binaries (as root only: the tests that need them
// require root) and runs the tests; its result is the exit code. Call it
// from the test package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(daemon.Main(m)) }
func Main(m *testing.M) int {
	if os.Geteuid() == 0 {
		dir, cleanup, err := binaryDir()
		if err != nil {
			fmt.Fprintln(os.Stderr, "daemon under test:", err)
			return 1
		}
		defer cleanup()
		bins = binaries{
			cli:    filepath.Join(dir, "container-runtime"),
			daemon: filepath.Join(dir, "container-runtimed"),
			oci:    filepath.Join(dir, "container-runtime-oci"),
		}
	}
	return m.Run()
}

// Bins returns the paths of the binaries under test: the CLI, the daemon
// and the OCI runtime. They are empty unless Main ran as root.
func Bins() (cli, daemon, oci string) {
	return bins.cli, bins.daemon, bins.oci
}

// StageBin returns the path of container-runtime-init, which the daemon
// under test finds next to itself; empty unless Main ran as root.
func StageBin() string {
	if bins.daemon == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(bins.daemon), "container-runtime-init")
}

// binaryDir returns the directory holding the binaries: $CRT_E2E_BIN, or
// a temporary directory they are built into.
func binaryDir() (string, func(), error) {
	if d := os.Getenv(envBinDir); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", nil, err
		}
		for _, name := range []string{"container-runtime", "container-runtimed"} {
			if _, err := os.Stat(filepath.Join(abs, name)); err != nil {
				return "", nil, fmt.Errorf("$%s: %w", envBinDir, err)
			}
		}
		return abs, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "crt-e2e-bin-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const mod = "github.com/container-runtime/container-runtime/cmd/"
	// As `make build`: the client without cgo (a static binary).
	cli := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", mod+"container-runtime")
	cli.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cli.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("building the client: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", mod+"container-runtimed", mod+"container-runtime-oci")
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("building the binaries: %v\n%s", err, out)
	}
	// As `make build`: statically linked where the static libraries are.
	static := exec.CommandContext(ctx, "go", "build", "-tags", "osusergo,netgo",
		"-ldflags", "-linkmode external -extldflags -static", "-o", dir+"/", mod+"container-runtime-init")
	if _, err := static.CombinedOutput(); err != nil {
		init := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", mod+"container-runtime-init")
		if out, err := init.CombinedOutput(); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("building container-runtime-init: %v\n%s", err, out)
		}
	}
	return dir, cleanup, nil
}
