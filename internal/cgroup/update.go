package cgroup

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Merge returns the resources of a container after an update: current with
// the limits that update sets. Neither argument is modified, and the result
// shares no memory with them.
//
// Its rules are runc's `update` (and so what containerd and dockerd expect
// of a runtime's update):
//
//   - A nil field, a zero number and an empty cpuset list leave the current
//     value: go-runc and dockerd send zeros for what the user did not ask to
//     change (dockerd always sends cpu.quota and cpu.period, zero unless
//     set). Pointers whose zero is a value (memory.swappiness,
//     memory.disableOOMKiller, cpu.burst, cpu.idle) are taken when non-nil.
//   - CPU quota and period may be set one without the other: the other keeps
//     its current value.
//   - memory.limit -1 (no limit) without memory.swap also lifts the swap
//     limit, as the library does on v1, rather than keeping a swap total
//     below an unlimited memory.
//   - Device rules, block I/O device lists, network and RDMA settings are
//     not updatable (runc ignores them too): containerd's CRI sends the
//     container's whole linux.resources, devices included, and they keep
//     their current values. memory.kernel and memory.kernelTCP are ignored,
//     as New ignores them.
//   - Hugepage limits replace the current entry of the same page size;
//     unified entries replace the current entry of the same key.
//
// The caller validates the result (Set does): whether a new swap total fits
// the current memory limit is only known after merging.
func Merge(current, update *specs.LinuxResources) *specs.LinuxResources {
	out := cloneResources(current)
	if update == nil {
		return out
	}
	if m := update.Memory; m != nil {
		mergeMemory(out, m)
	}
	if c := update.CPU; c != nil {
		mergeCPU(out, c)
	}
	if p := update.Pids; p != nil && p.Limit != nil && *p.Limit != 0 {
		out.Pids = &specs.LinuxPids{Limit: ptrTo(*p.Limit)}
	}
	if b := update.BlockIO; b != nil {
		if out.BlockIO == nil {
			out.BlockIO = &specs.LinuxBlockIO{}
		}
		setNonZero(&out.BlockIO.Weight, b.Weight)
		setNonZero(&out.BlockIO.LeafWeight, b.LeafWeight)
	}
	for _, h := range update.HugepageLimits {
		i := slices.IndexFunc(out.HugepageLimits, func(c specs.LinuxHugepageLimit) bool { return c.Pagesize == h.Pagesize })
		if i < 0 {
			out.HugepageLimits = append(out.HugepageLimits, h)
		} else {
			out.HugepageLimits[i] = h
		}
	}
	if len(update.Unified) > 0 {
		if out.Unified == nil {
			out.Unified = make(map[string]string, len(update.Unified))
		}
		maps.Copy(out.Unified, update.Unified)
	}
	return out
}

func mergeMemory(out *specs.LinuxResources, m *specs.LinuxMemory) {
	if out.Memory == nil {
		out.Memory = &specs.LinuxMemory{}
	}
	o := out.Memory
	setNonZero(&o.Limit, m.Limit)
	setNonZero(&o.Reservation, m.Reservation)
	setNonZero(&o.Swap, m.Swap)
	if deref(m.Limit) == -1 && deref(m.Swap) == 0 {
		o.Swap = ptrTo[int64](-1)
	}
	setNonNil(&o.Swappiness, m.Swappiness)
	setNonNil(&o.DisableOOMKiller, m.DisableOOMKiller)
	setNonNil(&o.CheckBeforeUpdate, m.CheckBeforeUpdate)
}

func mergeCPU(out *specs.LinuxResources, c *specs.LinuxCPU) {
	if out.CPU == nil {
		out.CPU = &specs.LinuxCPU{}
	}
	o := out.CPU
	setNonZero(&o.Shares, c.Shares)
	setNonZero(&o.Quota, c.Quota)
	setNonZero(&o.Period, c.Period)
	setNonZero(&o.RealtimeRuntime, c.RealtimeRuntime)
	setNonZero(&o.RealtimePeriod, c.RealtimePeriod)
	setNonNil(&o.Burst, c.Burst)
	setNonNil(&o.Idle, c.Idle)
	if c.Cpus != "" {
		o.Cpus = c.Cpus
	}
	if c.Mems != "" {
		o.Mems = c.Mems
	}
}

// setNonZero copies *src into a fresh *dst when src is set and not zero.
func setNonZero[T comparable](dst **T, src *T) {
	var zero T
	if src != nil && *src != zero {
		*dst = ptrTo(*src)
	}
}

// setNonNil copies *src into a fresh *dst when src is set.
func setNonNil[T any](dst **T, src *T) {
	if src != nil {
		*dst = ptrTo(*src)
	}
}

func ptrTo[T any](v T) *T { return &v }

// cloneResources deep-copies r (nil gives an empty value) through its JSON
// form, which holds every field of the spec's types.
func cloneResources(r *specs.LinuxResources) *specs.LinuxResources {
	out := &specs.LinuxResources{}
	if r == nil {
		return out
	}
	b, err := json.Marshal(r)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		// Only a type the encoder cannot handle fails, and the spec's
		// types have none.
		panic(fmt.Sprintf("copying linux.resources: %v", err))
	}
	return out
}
