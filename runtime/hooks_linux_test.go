package runtime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// recordingHook appends its kind to dir/order and saves the state it
// reads on stdin to dir/<kind>.json. Hooks that run inside the container
// after pivot_root (startContainer) cannot see dir: they find it bound at
// /hooks, so the script falls back to that.
func recordingHook(kind, dir string) specs.Hook {
	const script = `d=$2; [ -d "$d" ] || d=/hooks
cat > "$d/$1.json" && echo "$1" >> "$d/order"`
	return specs.Hook{
		Path: "/bin/busybox",
		Args: []string{"sh", "-c", script, "hook", kind, dir},
		Env:  []string{"PATH=/bin:/usr/bin"},
	}
}

// shellHook runs script with busybox sh.
func shellHook(script string, timeout *int) specs.Hook {
	return specs.Hook{Path: "/bin/busybox", Args: []string{"sh", "-c", script}, Env: []string{"PATH=/bin:/usr/bin"}, Timeout: timeout}
}

// withHookDir binds a fresh host directory at /hooks in the container
// and returns it.
func (b *testBundle) withHookDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(b.rootfs, "hooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	b.spec.Mounts = append(b.spec.Mounts, specs.Mount{Destination: "/hooks", Type: "bind", Source: dir, Options: []string{"rbind", "rw"}})
	return dir
}

func TestHooks(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "cat /hooks/startContainer.json >/dev/null && echo started-after-hook")
	dir := b.withHookDir(t)
	b.spec.Hooks = &specs.Hooks{
		Prestart:        []specs.Hook{recordingHook("prestart", dir)}, //nolint:staticcheck // still in the spec
		CreateRuntime:   []specs.Hook{recordingHook("createRuntime", dir)},
		CreateContainer: []specs.Hook{recordingHook("createContainer", dir)},
		StartContainer:  []specs.Hook{recordingHook("startContainer", dir)},
		Poststart:       []specs.Hook{recordingHook("poststart", dir)},
		Poststop:        []specs.Hook{recordingHook("poststop", dir)},
	}
	b.spec.Annotations = map[string]string{"test": "hooks"}
	id := testID(t)
	watchLeaks(t, b, id)
	out, st := b.run(t, id)
	if st.Code != 0 || out != "started-after-hook" {
		t.Errorf("container: %+v %q; want the startContainer hook to have run before it", st, out)
	}

	order, err := os.ReadFile(filepath.Join(dir, "order"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
	if got := strings.Fields(string(order)); !slices.Equal(got, kinds) {
		t.Fatalf("hooks ran in order %v, want %v", got, kinds)
	}
	// The statuses of the runtime spec's lifecycle: creating until create
	// returns, created until the program runs.
	wantStatus := map[string]specs.ContainerState{
		"prestart": specs.StateCreating, "createRuntime": specs.StateCreating, "createContainer": specs.StateCreating,
		"startContainer": specs.StateCreated, "poststart": specs.StateRunning, "poststop": specs.StateStopped,
	}
	var pid int
	for _, kind := range kinds {
		b, err := os.ReadFile(filepath.Join(dir, kind+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var s specs.State
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s hook got %q: %v", kind, b, err)
		}
		if s.ID != id || s.Bundle == "" || s.Annotations["test"] != "hooks" {
			t.Errorf("%s hook got state %+v, want id %s, the bundle and the annotations", kind, s, id)
		}
		if s.Status != wantStatus[kind] {
			t.Errorf("%s hook got status %q, want %q", kind, s.Status, wantStatus[kind])
		}
		switch {
		case kind == "poststop":
			// The process is gone: its pid may be reported or 0.
			if s.Pid != 0 && s.Pid != pid {
				t.Errorf("poststop hook got pid %d, want 0 or %d", s.Pid, pid)
			}
		case pid == 0:
			pid = s.Pid
			if pid <= 0 {
				t.Errorf("%s hook got pid %d", kind, pid)
			}
		case s.Pid != pid:
			t.Errorf("%s hook got pid %d, the earlier hooks %d", kind, s.Pid, pid)
		}
	}
}

func TestHookFailureFailsTheStep(t *testing.T) {
	timeout := 1
	tests := []struct {
		name  string
		hooks specs.Hooks
		// atStart is true when Start, not Create, fails.
		atStart bool
		want    []string
	}{
		{"prestart", specs.Hooks{Prestart: []specs.Hook{shellHook("echo prestart-said-no; exit 3", nil)}}, //nolint:staticcheck // still in the spec
			false, []string{"prestart", "prestart-said-no"}},
		{"createRuntime", specs.Hooks{CreateRuntime: []specs.Hook{shellHook("echo boom-output >&2; exit 3", nil)}},
			false, []string{"createRuntime", "boom-output", "exit status 3"}},
		{"createContainer", specs.Hooks{CreateContainer: []specs.Hook{shellHook("echo in-container-no; exit 4", nil)}},
			false, []string{"createContainer", "in-container-no"}},
		{"second of two", specs.Hooks{CreateRuntime: []specs.Hook{shellHook("true", nil), shellHook("echo second-failed; false", nil)}},
			false, []string{"second-failed"}},
		{"timeout", specs.Hooks{CreateRuntime: []specs.Hook{shellHook("echo slow; exec sleep 10", &timeout)}},
			false, []string{"createRuntime", "timed out"}},
		{"poststart", specs.Hooks{Poststart: []specs.Hook{shellHook("echo poststart-no; exit 1", nil)}},
			true, []string{"poststart", "poststart-no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBundle(t, "/bin/sleep", "60")
			b.spec.Hooks = &tt.hooks
			id := testID(t)
			leaks := watchLeaks(t, b, id)
			c, err := b.tryCreate(id, CreateOptions{})
			if tt.atStart {
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				t.Cleanup(func() { c.cleanup(t) })
				err = b.rt.Start(t.Context(), id)
				if st := c.wait(t); st.Signal != 9 {
					t.Errorf("container after a failed poststart hook: %+v, want killed", st)
				}
			} else if err == nil {
				c.cleanup(t)
			}
			if err == nil {
				t.Fatal("the step succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !tt.atStart {
				leaks.check(t)
			}
		})
	}
}
