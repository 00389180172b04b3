package seccomp

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// childEnv names the scenario a re-executed test binary runs instead of the
// tests (see TestMain and load_linux_test.go).
const childEnv = "SECCOMP_TEST_CHILD"

// TestMain re-executes as a scenario child when childEnv is set: a loaded
// filter cannot be removed, so filters are loaded in child processes. The
// child locks the main goroutine to its thread, because no_new_privs is
// per thread and must be set on the thread that loads the filter.
func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		runtime.LockOSThread()
		code, err := runScenario(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "scenario %s: %v\n", name, err)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}
