package container

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestCheckUpdateRefuses(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  api.ContainerUpdate
		want string
	}{
		{"memory below 6 MiB", api.ContainerUpdate{Memory: 4 << 20}, "Minimum memory limit allowed is 6MB"},
		{"negative memory", api.ContainerUpdate{Memory: -5}, "invalid memory limit"},
		{"swap below memory", api.ContainerUpdate{Memory: 64 << 20, MemorySwap: 32 << 20}, "Minimum memoryswap limit should be larger than memory limit"},
		{"swap below -1", api.ContainerUpdate{MemorySwap: -2}, "invalid memory-swap"},
		{"too few cpus", api.ContainerUpdate{NanoCPUs: 1e6}, "Range of CPUs is from 0.01"},
		{"too many cpus", api.ContainerUpdate{NanoCPUs: 1e15}, "Range of CPUs is from 0.01"},
		{"negative shares", api.ContainerUpdate{CPUShares: -1}, "invalid CPU shares"},
		{"bad cpuset", api.ContainerUpdate{CpusetCpus: "0-x"}, "Invalid value 0-x for cpuset cpus"},
		{"cpu not online", api.ContainerUpdate{CpusetCpus: "4096"}, "Requested CPUs are not available"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := checkUpdate(tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("checkUpdate(%+v) = %v, want an invalid-argument error saying %q", tt.req, err, tt.want)
			}
		})
	}
	for _, ok := range []api.ContainerUpdate{
		{},
		{Memory: 6 << 20},
		{Memory: 64 << 20, MemorySwap: -1},
		{Memory: 64 << 20, MemorySwap: 64 << 20},
		{NanoCPUs: 1e7, CpusetCpus: "0"},
	} {
		if err := checkUpdate(ok); err != nil {
			t.Errorf("checkUpdate(%+v) = %v, want nil", ok, err)
		}
	}
}

func TestResourcesUpdate(t *testing.T) {
	current := &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Swap: ptr[int64](128 << 20)}}

	// Above the current swap total without a new one: Docker's refusal.
	_, err := resourcesUpdate(api.ContainerUpdate{Memory: 256 << 20}, current)
	if err == nil || !strings.Contains(err.Error(), "Memory limit should be smaller than already set memoryswap limit") {
		t.Errorf("memory above the swap total: %v", err)
	}
	// With a new swap total, or below the current one, it is fine.
	d, err := resourcesUpdate(api.ContainerUpdate{Memory: 256 << 20, MemorySwap: 512 << 20}, current)
	if err != nil || *d.Memory.Limit != 256<<20 || *d.Memory.Swap != 512<<20 {
		t.Errorf("memory with swap: %+v, %v", d.Memory, err)
	}
	if d.CPU != nil || d.Pids != nil {
		t.Errorf("memory update touches cpu %+v or pids %+v", d.CPU, d.Pids)
	}

	d, err = resourcesUpdate(api.ContainerUpdate{NanoCPUs: 1.5e9, CPUShares: 512, CpusetCpus: "0", PidsLimit: ptr[int64](0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *d.CPU.Quota != 150000 || *d.CPU.Period != 100000 || *d.CPU.Shares != 512 || d.CPU.Cpus != "0" {
		t.Errorf("cpu update = quota %d period %d shares %d cpus %q, want 150000/100000/512/0",
			*d.CPU.Quota, *d.CPU.Period, *d.CPU.Shares, d.CPU.Cpus)
	}
	if *d.Pids.Limit != -1 {
		t.Errorf("--pids-limit 0 gives %d, want -1 (no limit)", *d.Pids.Limit)
	}
	if d.Memory != nil {
		t.Errorf("cpu update touches memory: %+v", d.Memory)
	}
}

func TestApplyUpdateRecords(t *testing.T) {
	r := &record{Config: api.ContainerCreate{Resources: api.Resources{Memory: 64 << 20, PidsLimit: 10}}}
	applyUpdate(r, api.ContainerUpdate{NanoCPUs: 5e8, PidsLimit: ptr[int64](-1),
		RestartPolicy: &api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}})
	want := api.Resources{Memory: 64 << 20, NanoCPUs: 5e8}
	if !reflect.DeepEqual(r.Config.Resources, want) {
		t.Errorf("resources = %+v, want %+v", r.Config.Resources, want)
	}
	if r.Config.RestartPolicy != (api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}) {
		t.Errorf("restart policy = %+v", r.Config.RestartPolicy)
	}
}

// A container waiting for its policy's next restart stays stopped once the
// policy is updated to no.
func TestApplyUpdateCallsOffRestart(t *testing.T) {
	for _, tt := range []struct {
		status, policy, want string
	}{
		{StateRestarting, "no", StateExited},
		{StateRestarting, "", StateExited},
		{StateRestarting, "always", StateRestarting},
		{StateRunning, "no", StateRunning},
	} {
		r := &record{State: runState{Status: tt.status}}
		applyUpdate(r, api.ContainerUpdate{RestartPolicy: &api.RestartPolicy{Name: tt.policy}})
		if r.State.Status != tt.want {
			t.Errorf("%s, policy %q: status %s, want %s", tt.status, tt.policy, r.State.Status, tt.want)
		}
	}
}

func TestParseCPUList(t *testing.T) {
	got, err := parseCPUList("0-2,5")
	if err != nil || len(got) != 4 || !got[0] || !got[2] || !got[5] || got[3] {
		t.Errorf("parseCPUList(0-2,5) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "a", "3-1", "-1", "0-", "1,,2", "0-100000"} {
		if _, err := parseCPUList(bad); err == nil {
			t.Errorf("parseCPUList(%q) succeeded", bad)
		}
	}
}

func ptr[T any](v T) *T { return &v }
