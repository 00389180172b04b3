package docker

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
)

// TestToLimits: the memory, CPU, block I/O and OOM fields the docker CLI
// sends for --memory-swap, --cpu-period, --device-read-bps, ... become
// our request, and inspect shows them back under Docker's names.
func TestToLimits(t *testing.T) {
	req := createFrom(t, `{"Image": "busybox", "HostConfig": {
		"Memory": 67108864, "MemorySwap": -1, "MemoryReservation": 33554432, "MemorySwappiness": 10,
		"OomKillDisable": true, "OomScoreAdj": -500, "CpuPeriod": 50000, "CpuQuota": 25000, "CpusetMems": "0",
		"BlkioWeight": 300,
		"BlkioDeviceReadBps": [{"Path": "/dev/vda", "Rate": 1048576}],
		"BlkioDeviceWriteBps": [{"Path": "/dev/vda", "Rate": 2097152}],
		"BlkioDeviceReadIOps": [{"Path": "/dev/vda", "Rate": 100}],
		"BlkioDeviceWriteIOps": [{"Path": "/dev/vda", "Rate": 200}]}}`)
	got, _, err := toCreate("", req)
	if err != nil {
		t.Fatal(err)
	}
	ten := int64(10)
	want := api.Resources{
		Memory: 64 << 20, MemorySwap: -1, MemoryReservation: 32 << 20, MemorySwappiness: &ten,
		OomKillDisable: true, OomScoreAdj: -500, CPUPeriod: 50000, CPUQuota: 25000, CpusetMems: "0", BlkioWeight: 300,
		BlkioDeviceReadBps:   []api.ThrottleDevice{{Path: "/dev/vda", Rate: 1 << 20}},
		BlkioDeviceWriteBps:  []api.ThrottleDevice{{Path: "/dev/vda", Rate: 2 << 20}},
		BlkioDeviceReadIOps:  []api.ThrottleDevice{{Path: "/dev/vda", Rate: 100}},
		BlkioDeviceWriteIOps: []api.ThrottleDevice{{Path: "/dev/vda", Rate: 200}},
	}
	if !reflect.DeepEqual(got.Resources, want) {
		t.Errorf("resources:\n got %+v\nwant %+v", got.Resources, want)
	}

	var hc container.HostConfig
	limitsOf(api.ContainerCreate{Resources: want}, &hc)
	b, err := json.Marshal(hc)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		MemorySwap, MemoryReservation, CpuPeriod, CpuQuota int64 //nolint:revive // Docker's names
		MemorySwappiness                                   *int64
		OomKillDisable                                     *bool
		OomScoreAdj                                        int
		CpusetMems                                         string
		BlkioWeight                                        uint16
		BlkioDeviceWriteIOps                               []struct {
			Path string
			Rate uint64
		}
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.MemorySwap != -1 || back.MemoryReservation != 32<<20 || back.CpuPeriod != 50000 || back.CpuQuota != 25000 ||
		back.MemorySwappiness == nil || *back.MemorySwappiness != 10 || back.OomKillDisable == nil || !*back.OomKillDisable ||
		back.OomScoreAdj != -500 || back.CpusetMems != "0" || back.BlkioWeight != 300 ||
		len(back.BlkioDeviceWriteIOps) != 1 || back.BlkioDeviceWriteIOps[0].Rate != 200 {
		t.Errorf("inspect's HostConfig: %s", b)
	}

	// -1 swappiness is "the host's", as no value.
	got, _, err = toCreate("", createFrom(t, `{"Image": "busybox", "HostConfig": {"MemorySwappiness": -1}}`))
	if err != nil || got.Resources.MemorySwappiness != nil {
		t.Errorf("MemorySwappiness -1: %v, %v", got.Resources.MemorySwappiness, err)
	}
}

// TestRefuseInUpdate: an update refuses the limits it would not change,
// naming the field, and converts a CFS quota to CPUs.
func TestRefuseInUpdate(t *testing.T) {
	ten := int64(10)
	for field, r := range map[string]container.Resources{
		"HostConfig.BlkioWeight":        {BlkioWeight: 100},
		"HostConfig.MemoryReservation":  {MemoryReservation: 1 << 20},
		"HostConfig.MemorySwappiness":   {MemorySwappiness: &ten},
		"HostConfig.CpusetMems":         {CpusetMems: "0"},
		"HostConfig.CpuPeriod":          {CPUPeriod: 50000},
		"HostConfig.BlkioDeviceReadBps": {BlkioDeviceReadBps: []*blkiodev.ThrottleDevice{{Path: "/dev/vda", Rate: 1}}},
	} {
		if err := refuseInUpdate(r); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	if err := refuseInUpdate(container.Resources{Memory: 1 << 30, CPUQuota: 50000, CPUPeriod: 100000}); err != nil {
		t.Errorf("memory and a quota: %v", err)
	}
	if got := quotaNanoCPUs(50000, 0); got != 5e8 {
		t.Errorf("quota 50000 of the default period: %d CPUs × 1e9, want 5e8", got)
	}
}
