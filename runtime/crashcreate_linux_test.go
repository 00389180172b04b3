package runtime

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// TestDeleteAfterCreateDied: a Create that died after making the cgroup
// and before the container process existed leaves a "creating" record;
// Delete removes the cgroup and the state with it.
func TestDeleteAfterCreateDied(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	id := testID(t)
	watchLeaks(t, b, id)
	cg, err := cgroup.New(id, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// What Create writes first, then a cgroup with a process that died.
	if err := os.MkdirAll(b.rt.dir(id), 0o711); err != nil {
		t.Fatal(err)
	}
	rec := &record{ID: id, Bundle: b.dir, Created: time.Now(), CgroupPaths: cg.Paths(), Config: b.spec}
	if err := b.rt.save(rec); err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("/bin/sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	if err := cg.Apply(sleep.Process.Pid); err != nil {
		sleep.Process.Kill()
		t.Fatal(err)
	}
	sleep.Process.Kill()
	sleep.Wait()

	st, err := b.rt.State(context.Background(), id)
	if err != nil || st.Status != StatusCreating {
		t.Fatalf("State: %+v, %v; want creating", st, err)
	}
	if err := b.rt.Delete(context.Background(), id, false); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for ctrl, p := range cg.Paths() {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("cgroup %s (%s) still there: %v", p, ctrl, err)
		}
	}
}

// TestDeleteAfterPowerCut: state.json is written without syncs, so a
// power cut may leave it empty or cut short. State says it is corrupt;
// Delete removes what is left (nothing it described outlived the reboot),
// so that the daemon's cleanup after a reboot does not fail forever.
func TestDeleteAfterPowerCut(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	for name, content := range map[string]string{"empty": "", "truncated": `{"id":"`} {
		t.Run(name, func(t *testing.T) {
			id := testID(t)
			if err := os.MkdirAll(b.rt.dir(id), 0o711); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(b.rt.dir(id), stateFile), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := b.rt.State(context.Background(), id); err == nil || !strings.Contains(err.Error(), "corrupt") {
				t.Fatalf("State of a %s state.json: %v; want an error saying it is corrupt", name, err)
			}
			if err := b.rt.Delete(context.Background(), id, false); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := os.Stat(b.rt.dir(id)); !os.IsNotExist(err) {
				t.Errorf("the state directory is still there: %v", err)
			}
		})
	}
}
