package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestPoststopFailureRunsTheRest checks the runtime spec's lifecycle step
// 13 (runtime-tools poststop_fail): a failing poststop hook is a warning,
// the remaining poststop hooks still run and delete succeeds.
func TestPoststopFailureRunsTheRest(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	dir := t.TempDir()
	b.spec.Hooks = &specs.Hooks{Poststop: []specs.Hook{
		shellHook("echo first-fails; exit 1", nil),
		recordingHook("poststop", dir),
	}}
	id := testID(t)
	watchLeaks(t, b, id)
	if _, st := b.run(t, id); st.Code != 0 {
		t.Fatalf("container exit %+v, want 0", st)
	}
	order, err := os.ReadFile(filepath.Join(dir, "order"))
	if err != nil {
		t.Fatalf("the second poststop hook did not run after the first failed: %v", err)
	}
	if got := strings.Fields(string(order)); len(got) != 1 || got[0] != "poststop" {
		t.Fatalf("hooks recorded %q, want the second poststop hook once", got)
	}
	if _, err := os.Stat(b.rt.dir(id)); !os.IsNotExist(err) {
		t.Fatalf("state of %s still there after delete (stat: %v)", id, err)
	}
}
