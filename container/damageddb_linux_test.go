package container

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/boltfile"
)

// TestDamagedContainersDBRefused: containers.db cut to half, emptied or
// filled with garbage stops the service's start with an error naming the
// file and what to do, and the running container is left running (no
// silent empty start that would kill it as a leftover). With the file
// restored, the next start adopts the container again.
func TestDamagedContainersDBRefused(t *testing.T) {
	damages := boltfile.Damages()
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			id := f.run(t, api.ContainerCreate{Name: "keeper", Cmd: []string{"sleep", "600"}})
			for range 20 {
				if _, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"true"}, Labels: map[string]string{"pad": strings.Repeat("x", 2000)}}); err != nil {
					t.Fatal(err)
				}
			}
			pid := f.svc.snapshotOf(t, id).State.Pid
			f.svc.Close()
			f.svc = nil
			path := filepath.Join(f.root, "containers.db")
			good, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := damage(path); err != nil {
				t.Fatal(err)
			}

			s, err := New(ctx, Config{Root: f.root, ExecRoot: f.execRoot, Images: f.store, Runtime: f.rt, Events: f.bus})
			if err == nil {
				f.svc = s
				t.Fatal("New with a damaged containers.db succeeded")
			}
			if _, ok := errors.AsType[*boltfile.DamagedError](err); !ok {
				t.Fatalf("error %v is not a DamagedError", err)
			}
			for _, want := range []string{path, "damaged", "mv " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if err := unix.Kill(pid, 0); err != nil {
				t.Fatalf("the running container (pid %d) did not survive the refused start: %v", pid, err)
			}

			if err := os.WriteFile(path, good, 0o600); err != nil {
				t.Fatal(err)
			}
			f.svc = f.open(t)
			if in, err := f.svc.Inspect(ctx, id); err != nil || in.State != StateRunning {
				t.Fatalf("after restoring the file: %+v %v", in, err)
			}
		})
	}
}

// TestMovedAsideContainersDBQuarantines: the way out the refusal
// proposes. With containers.db moved aside, the start stops the
// containers it no longer has records for and keeps their directories in
// quarantine rather than deleting them; nothing stays mounted.
func TestMovedAsideContainersDBQuarantines(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.run(t, api.ContainerCreate{Name: "forgotten", Cmd: []string{"sh", "-c", "echo kept > /data; sleep 600"}})
	waitFile(t, filepath.Join(f.root, "containers", id, "upper", "data"))
	pid := f.svc.snapshotOf(t, id).State.Pid
	f.svc.Close()
	path := filepath.Join(f.root, "containers.db")
	if err := os.Rename(path, path+".corrupt-test"); err != nil {
		t.Fatal(err)
	}
	f.svc = f.open(t)
	if _, err := f.svc.Inspect(ctx, id); err == nil {
		t.Fatal("a container without a record is listed")
	}
	deadline := time.Now().Add(10 * time.Second)
	for unix.Kill(pid, 0) == nil {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); strings.Contains(string(b), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the container's process %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	matches, _ := filepath.Glob(filepath.Join(f.root, "quarantine", "*-"+id, "upper", "data"))
	if len(matches) != 1 {
		t.Fatalf("the container's writable layer is not in quarantine: %v", matches)
	}
	if _, err := os.Stat(filepath.Join(f.root, "containers", id)); !os.IsNotExist(err) {
		t.Errorf("the container's directory is still in containers/: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.execRoot, "runtime", id)); !os.IsNotExist(err) {
		t.Errorf("the container's runtime state remains: %v", err)
	}
	assertNoMounts(t, f.root)
}

func waitFile(tb testing.TB, p string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(p); err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not appear", p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
