package network

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// netpeer is the path of the helper built by TestMain (as root only: the
// tests that run it require root).
var netpeer string

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

// runTests builds netpeer statically, then runs the tests through
// daemon.Main, which builds the binaries under test.
func runTests(m *testing.M) int {
	if os.Geteuid() != 0 {
		return daemon.Main(m)
	}
	dir, err := os.MkdirTemp("", "crt-nettest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "network tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	netpeer = filepath.Join(dir, "netpeer")
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags", "-s -w", "-o", netpeer, "./testdata/netpeer")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "network tests: building netpeer: %v\n%s", err, out)
		return 1
	}
	return daemon.Main(m)
}
