package capabilities

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// childEnv names the scenario a re-executed test binary runs instead of the
// tests (see TestMain).
const childEnv = "CAPABILITIES_TEST_CHILD"

// TestMain re-executes as a scenario child when childEnv is set: capability
// changes are irreversible, so they happen in a child process. The child
// locks the main goroutine to its thread, because capabilities are per
// thread and the scenario ends in execve from that thread.
func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		runtime.LockOSThread()
		if err := runScenario(name); err != nil {
			fmt.Fprintf(os.Stderr, "scenario %s: %v\n", name, err)
			os.Exit(1)
		}
		os.Exit(0) // Unreachable when the scenario execs.
	}
	os.Exit(m.Run())
}
