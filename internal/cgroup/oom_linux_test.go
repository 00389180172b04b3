package cgroup

import (
	"errors"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"

	"github.com/container-runtime/container-runtime/errdefs"
)

// fakeV1Memory returns a v1 manager whose memory controller's directory is
// a fake tree holding files.
func fakeV1Memory(t *testing.T, files map[string]string) *manager {
	t.Helper()
	cgroups.TestMode = true
	t.Cleanup(func() { cgroups.TestMode = false })
	dir := fakeTree(t, files)
	lib, err := fs.NewManager(&cgroups.Cgroup{Resources: &cgroups.Resources{}}, map[string]string{"memory": dir})
	if err != nil {
		t.Fatal(err)
	}
	return &manager{name: dir, layout: Legacy, lib: lib, res: &cgroups.Resources{}}
}

// TestOOMKillCount reads the kernel's OOM-kill counter from each
// hierarchy's file: v1's memory.oom_control and v2's memory.events, where
// oom_kill is one key among others (oom, the number of OOM events, is not
// the number of kills).
func TestOOMKillCount(t *testing.T) {
	for _, tc := range []struct {
		name    string
		manager func(*testing.T) *manager
		want    uint64
		wantErr error
	}{
		{"v1 memory.oom_control", func(t *testing.T) *manager {
			return fakeV1Memory(t, map[string]string{"memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"})
		}, 3, nil},
		{"v1 no kill", func(t *testing.T) *manager {
			return fakeV1Memory(t, map[string]string{"memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"})
		}, 0, nil},
		{"v1 cgroup gone", func(t *testing.T) *manager {
			return fakeV1Memory(t, map[string]string{"cgroup.procs": ""})
		}, 0, errdefs.ErrNotFound},
		{"v2 memory.events", func(t *testing.T) *manager {
			m, _ := fakeV2(t, map[string]string{"memory.events": "low 0\nhigh 0\nmax 9\noom 5\noom_kill 4\noom_group_kill 0\n"})
			return m
		}, 4, nil},
		{"v2 cgroup gone", func(t *testing.T) *manager {
			m, _ := fakeV2(t, map[string]string{"cgroup.procs": ""})
			return m
		}, 0, errdefs.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.manager(t).OOMKillCount()
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("OOMKillCount = %d, %v; want %v", n, err, tc.wantErr)
				}
				return
			}
			if err != nil || n != tc.want {
				t.Errorf("OOMKillCount = %d, %v; want %d", n, err, tc.want)
			}
		})
	}
}
