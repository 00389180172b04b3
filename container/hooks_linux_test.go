package container

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
)

// TestHooks: the start and exit hooks run on the host with the
// container's state on stdin.
func TestHooks(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	hook := func(stage string) api.Hook {
		return api.Hook{Stage: stage, Path: "/bin/sh", Args: []string{"-c", "cat > " + filepath.Join(dir, stage+".json")}}
	}
	id := f.run(t, api.ContainerCreate{Cmd: []string{"true"}, Hooks: []api.Hook{hook("start"), hook("exit")}})
	f.wait(t, id)
	for _, stage := range []string{"start", "exit"} {
		var st specs.State
		var b []byte
		deadline := time.Now().Add(10 * time.Second)
		for {
			var err error
			if b, err = os.ReadFile(filepath.Join(dir, stage+".json")); err == nil && len(b) > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := json.Unmarshal(b, &st); err != nil || st.ID != id {
			t.Errorf("%s hook got %q (%v)", stage, b, err)
		}
	}
}
