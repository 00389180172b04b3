package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Update on a running container: the new limits are in the cgroup (seen
// from inside, through the container's cgroup mount) and in its state, so
// that a later update starts from them.
func TestUpdateRunning(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "echo up; exec sleep 60")
	b.spec.Linux.Resources.Memory = &specs.LinuxMemory{Limit: ptrTo[int64](64 << 20), Swap: ptrTo[int64](128 << 20)}
	b.spec.Linux.Resources.CPU = &specs.LinuxCPU{Quota: ptrTo[int64](50000), Period: ptrTo[uint64](100000)}
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.out.waitFor(t, "up")
	ctx := context.Background()

	inside := func(file string) string {
		t.Helper()
		out, st := c.execIn(t, processSpec("cat", file))
		if st.Code != 0 {
			t.Fatalf("cat %s in the container: %+v %q", file, st, out)
		}
		return out
	}
	// Raising both: the v1 kernel needs the swap total written first.
	err := b.rt.Update(ctx, id, &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptrTo[int64](128 << 20), Swap: ptrTo[int64](256 << 20)},
		CPU:    &specs.LinuxCPU{Quota: ptrTo[int64](0), Period: ptrTo[uint64](0)}, // dockerd's "unchanged"
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got := inside("/sys/fs/cgroup/memory/memory.limit_in_bytes"); got != strconv.Itoa(128<<20) {
		t.Errorf("memory.limit_in_bytes inside after update = %s, want %d", got, 128<<20)
	}
	if got := inside("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"); got != strconv.Itoa(256<<20) {
		t.Errorf("memory.memsw.limit_in_bytes inside after update = %s, want %d", got, 256<<20)
	}
	// A quota alone keeps the period; the memory set above stays.
	if err := b.rt.Update(ctx, id, &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: ptrTo[int64](20000)}}); err != nil {
		t.Fatalf("Update quota: %v", err)
	}
	if got := inside("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"); got != "20000" {
		t.Errorf("cpu.cfs_quota_us = %s, want 20000", got)
	}
	rec, err := b.rt.load(id)
	if err != nil {
		t.Fatal(err)
	}
	res := rec.Config.Linux.Resources
	if *res.Memory.Limit != 128<<20 || *res.Memory.Swap != 256<<20 || *res.CPU.Quota != 20000 || *res.CPU.Period != 100000 {
		t.Errorf("state after updates: memory %d swap %d quota %d period %d; want 128 MiB, 256 MiB, 20000, 100000",
			*res.Memory.Limit, *res.Memory.Swap, *res.CPU.Quota, *res.CPU.Period)
	}
	if len(res.Devices) == 0 {
		t.Error("the state lost the container's device rules")
	}

	// Memory above the recorded swap total: refused before any write, the
	// cgroup and the state unchanged.
	err = b.rt.Update(ctx, id, &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptrTo[int64](512 << 20)}})
	if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "memory.swap") {
		t.Errorf("memory above memory+swap: Update = %v, want an invalid-argument error naming memory.swap", err)
	}
	if got := readTrim(t, filepath.Join(rec.CgroupPaths["memory"], "memory.limit_in_bytes")); got != strconv.Itoa(128<<20) {
		t.Errorf("memory.limit_in_bytes after a refused update = %s", got)
	}
	if rec2, _ := b.rt.load(id); rec2 == nil || *rec2.Config.Linux.Resources.Memory.Limit != 128<<20 {
		t.Error("a refused update changed the state")
	}
}

// Update refuses a stopped container and a missing one.
func TestUpdateNotRunning(t *testing.T) {
	b := newTestBundle(t, "/bin/true")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.wait(t)
	upd := &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptrTo[int64](10)}}
	if err := b.rt.Update(context.Background(), id, upd); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("Update of a stopped container = %v, want ErrConflict", err)
	}
	if err := b.rt.Update(context.Background(), "no-such-"+id, upd); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Update of a missing container = %v, want ErrNotFound", err)
	}
}

// readTrim reads a file of the host, trimmed.
func readTrim(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
