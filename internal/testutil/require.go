package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI: $CI is "true" or "1".
func InCI() bool {
	switch os.Getenv("CI") {
	case "true", "1":
		return true
	}
	return false
}

// Missing ends the test because something it needs is not there: it
// fails under CI, where everything must be present, and skips otherwise.
// The message says what is missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (CI must provide it: a test that cannot run there fails)", msg)
	}
	t.Skip(msg)
}

// RequireRoot ends the test unless it runs as root (see Missing).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root (run the tests with sudo)")
	}
}

// RequireTool ends the test unless the program name is in $PATH (see
// Missing), and returns its path.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "needs %s in $PATH (scripts/deps-debian installs it): %v", name, err)
	}
	return path
}

// SkipShort skips the test under -short, saying why (it is slow, or needs
// the network or the Debian base image). Under CI, which must run
// everything, -short makes the test fail instead.
func SkipShort(t testing.TB, why string) {
	t.Helper()
	if !testing.Short() {
		return
	}
	if InCI() {
		t.Fatalf("-short under CI would skip this test (%s): CI runs the whole suite", why)
	}
	t.Skip("-short: " + why)
}
