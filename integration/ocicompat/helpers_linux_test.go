package ocicompat

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/busyboxfs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// busyboxRootfs builds a busybox root filesystem in a new temporary
// directory and returns its path.
func busyboxRootfs(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(busyboxfs.Binary); err != nil {
		testutil.Missing(t, "needs busybox-static (scripts/deps-debian installs it): %v", err)
	}
	dir := filepath.Join(t.TempDir(), "rootfs")
	if err := busyboxfs.Create(dir); err != nil {
		t.Fatalf("building the busybox rootfs: %v", err)
	}
	return dir
}

// uniqueName returns prefix with this process's PID and the time, for
// names shared on the host (cgroup parents).
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6)
}

// tail returns the last n lines of the file at path, for failure reports.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
