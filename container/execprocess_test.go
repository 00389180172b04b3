package container

import (
	"encoding/json"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestSpecProcess checks the process an exec starts from: each call
// returns a copy of its own, which an exec may change without touching
// the next; and a spec replaced (an update) is seen by the next call.
func TestSpecProcess(t *testing.T) {
	encode := func(env ...string) []byte {
		b, err := json.Marshal(&specs.Spec{
			Process: &specs.Process{Args: []string{"sleep"}, Env: env, Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN"}}},
			Root:    &specs.Root{Path: "rootfs"},
			Linux:   &specs.Linux{Seccomp: &specs.LinuxSeccomp{DefaultAction: specs.ActErrno}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s := &Service{}
	e := newEntry(&record{ID: "c1"})
	e.spec = encode("A=1")
	p, err := s.specProcess(e)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Env, []string{"A=1"}) || !slices.Equal(p.Args, []string{"sleep"}) {
		t.Fatalf("process %+v, want the spec's", p)
	}
	p.Env[0] = "A=changed"
	p.Capabilities.Bounding[0] = "CAP_SYS_ADMIN"
	p.Args = append(p.Args, "more")
	again, err := s.specProcess(e)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Env, []string{"A=1"}) || !slices.Equal(again.Capabilities.Bounding, []string{"CAP_CHOWN"}) || len(again.Args) != 1 {
		t.Errorf("second process %+v: an exec's changes leaked into it", again)
	}
	e.mu.Lock()
	e.spec = encode("A=2")
	e.mu.Unlock()
	updated, err := s.specProcess(e)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(updated.Env, []string{"A=2"}) {
		t.Errorf("process after the spec was replaced: env %q, want the new spec's", updated.Env)
	}
}
