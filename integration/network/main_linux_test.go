package network

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// binaries are the programs under test and the helper.
type binaries struct {
	cli, daemon, netpeer string
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
	dir, err := os.MkdirTemp("", "crt-nettest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "network tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := build(dir); err != nil {
		fmt.Fprintln(os.Stderr, "network tests:", err)
		return 1
	}
	bins = binaries{
		cli:     filepath.Join(dir, "container-runtime"),
		daemon:  filepath.Join(dir, "container-runtimed"),
		netpeer: filepath.Join(dir, "netpeer"),
	}
	return m.Run()
}

// build compiles the CLI and the daemon, and netpeer statically.
func build(dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const mod = "github.com/container-runtime/container-runtime/"
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", mod+"cmd/container-runtime", mod+"cmd/container-runtimed")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the binaries: %v\n%s", err, out)
	}
	cmd = exec.CommandContext(ctx, "go", "build", "-ldflags", "-s -w", "-o", filepath.Join(dir, "netpeer"), "./testdata/netpeer")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building netpeer: %v\n%s", err, out)
	}
	return nil
}

// requireRoot skips tb unless it runs as root.
func requireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root: the daemon makes namespaces, bridges and nftables rules")
	}
}
