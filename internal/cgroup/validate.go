package cgroup

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Bounds enforced by Validate. The kernel accepts wider ranges for some of
// them, but a value outside these is a mistake rather than a wish.
const (
	// minMemoryLimit is the smallest memory limit accepted, as in Docker: the
	// runtime's own init stage (a Go binary) runs inside the cgroup before
	// the container's process, and needs a few MiB.
	minMemoryLimit = 6 << 20
	// CPU shares range of cgroup v1 (kernel MIN_SHARES..MAX_SHARES).
	minCPUShares = 2
	maxCPUShares = 262144
	// CFS quota and period bounds of the kernel (1 ms .. 1 s for the period,
	// at least 1 ms for the quota).
	minCPUQuota  = 1000
	minCPUPeriod = 1000
	maxCPUPeriod = 1000000
	// Block IO weight range of cgroup v1 (CFQ/BFQ).
	minBlkioWeight = 10
	maxBlkioWeight = 1000
	// maxCPUIndex bounds CPU and memory-node numbers in cpuset lists
	// (the kernel's largest NR_CPUS is 8192).
	maxCPUIndex = 8191
	// swappinessUnset is -1 stored in the spec's uint64: "leave as is".
	swappinessUnset = math.MaxUint64
)

// pageSizeRE is the spec's hugepage size format, "<size><unit-prefix>B".
var pageSizeRE = regexp.MustCompile(`^[1-9][0-9]*[KMGTPE]?B$`)

// Validate checks resources without touching the host. Every problem found
// is reported (joined), each naming its JSON field path, e.g.
// "linux.resources.memory.limit: -5 is negative (use -1 for no limit)",
// and each wraps errdefs.ErrInvalidArgument. A nil r is valid.
func Validate(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	var v validator
	v.memory(r.Memory)
	v.cpu(r.CPU)
	if r.Pids != nil && r.Pids.Limit != nil && *r.Pids.Limit < -1 {
		v.add("pids.limit", "%d is negative (use -1 for no limit)", *r.Pids.Limit)
	}
	v.blockIO(r.BlockIO)
	v.hugepages(r.HugepageLimits)
	v.devices(r.Devices)
	if r.Network != nil {
		for i, p := range r.Network.Priorities {
			if p.Name == "" {
				v.add(fmt.Sprintf("network.priorities[%d].name", i), "is empty")
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Unified)) {
		if err := checkUnifiedKey(k); err != nil {
			v.add(fmt.Sprintf("unified[%q]", k), "%v", err)
		}
	}
	return errors.Join(v.errs...)
}

// validator collects the problems found by Validate.
type validator struct{ errs []error }

// add records that field (relative to linux.resources) is invalid.
func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("linux.resources.%s: %s: %w",
		field, fmt.Sprintf(format, args...), errdefs.ErrInvalidArgument))
}

// limit checks a memory value: nil or 0 (unset), -1 (no limit) or positive.
func (v *validator) limit(field string, p *int64) {
	if p != nil && *p < -1 {
		v.add(field, "%d is negative (use -1 for no limit)", *p)
	}
}

func (v *validator) memory(m *specs.LinuxMemory) {
	if m == nil {
		return
	}
	v.limit("memory.limit", m.Limit)
	v.limit("memory.reservation", m.Reservation)
	v.limit("memory.swap", m.Swap)
	// memory.kernel and memory.kernelTCP are ignored (obsolete since Linux 5.4).
	limit := deref(m.Limit)
	if limit > 0 && limit < minMemoryLimit {
		v.add("memory.limit", "%d is below the minimum of %d (6 MiB)", limit, minMemoryLimit)
	}
	if res := deref(m.Reservation); res > 0 && limit > 0 && res > limit {
		v.add("memory.reservation", "%d exceeds memory.limit %d", res, limit)
	}
	if swap := deref(m.Swap); swap > 0 {
		switch {
		case limit <= 0:
			v.add("memory.swap", "%d set without a memory.limit (swap is memory+swap)", swap)
		case swap < limit:
			v.add("memory.swap", "%d is below memory.limit %d (swap is memory+swap)", swap, limit)
		}
	}
	if s := m.Swappiness; s != nil && *s > 100 && *s != swappinessUnset {
		v.add("memory.swappiness", "%d is out of range 0-100", *s)
	}
}

func (v *validator) cpu(c *specs.LinuxCPU) {
	if c == nil {
		return
	}
	if s := deref(c.Shares); s != 0 && (s < minCPUShares || s > maxCPUShares) {
		v.add("cpu.shares", "%d is out of range %d-%d", s, minCPUShares, maxCPUShares)
	}
	quota, period := deref(c.Quota), deref(c.Period)
	switch {
	case quota < -1:
		v.add("cpu.quota", "%d is negative (use -1 for no limit)", quota)
	case quota > 0 && quota < minCPUQuota:
		v.add("cpu.quota", "%d is below the minimum of %d µs", quota, minCPUQuota)
	}
	// A quota without a period is valid: the cgroup's period applies (the
	// kernel's default is 100000 µs). dockerd sends one for `run
	// --cpu-quota` and `update --cpu-quota` without --cpu-period, and
	// runc accepts it.
	if period != 0 && (period < minCPUPeriod || period > maxCPUPeriod) {
		v.add("cpu.period", "%d is out of range %d-%d µs", period, minCPUPeriod, maxCPUPeriod)
	}
	if b := c.Burst; b != nil && quota > 0 && *b > uint64(quota) {
		v.add("cpu.burst", "%d exceeds cpu.quota %d", *b, quota)
	}
	rt, rtPeriod := deref(c.RealtimeRuntime), deref(c.RealtimePeriod)
	switch {
	case rt < -1:
		v.add("cpu.realtimeRuntime", "%d is negative (use -1 for no limit)", rt)
	case rt > 0 && rtPeriod > 0 && uint64(rt) > rtPeriod:
		v.add("cpu.realtimeRuntime", "%d exceeds cpu.realtimePeriod %d", rt, rtPeriod)
	}
	if err := checkCPUList(c.Cpus); err != nil {
		v.add("cpu.cpus", "%q: %v", c.Cpus, err)
	}
	if err := checkCPUList(c.Mems); err != nil {
		v.add("cpu.mems", "%q: %v", c.Mems, err)
	}
	if i := c.Idle; i != nil && *i != 0 && *i != 1 {
		v.add("cpu.idle", "%d is neither 0 nor 1", *i)
	}
}

func (v *validator) blockIO(b *specs.LinuxBlockIO) {
	if b == nil {
		return
	}
	v.weight("blockIO.weight", b.Weight)
	v.weight("blockIO.leafWeight", b.LeafWeight)
	for i, d := range b.WeightDevice {
		field := fmt.Sprintf("blockIO.weightDevice[%d]", i)
		v.blockDevice(field, d.Major, d.Minor)
		v.weight(field+".weight", d.Weight)
		v.weight(field+".leafWeight", d.LeafWeight)
	}
	for _, t := range []struct {
		name string
		list []specs.LinuxThrottleDevice
	}{
		{"throttleReadBpsDevice", b.ThrottleReadBpsDevice},
		{"throttleWriteBpsDevice", b.ThrottleWriteBpsDevice},
		{"throttleReadIOPSDevice", b.ThrottleReadIOPSDevice},
		{"throttleWriteIOPSDevice", b.ThrottleWriteIOPSDevice},
	} {
		for i, d := range t.list {
			v.blockDevice(fmt.Sprintf("blockIO.%s[%d]", t.name, i), d.Major, d.Minor)
		}
	}
}

func (v *validator) weight(field string, w *uint16) {
	if w != nil && *w != 0 && (*w < minBlkioWeight || *w > maxBlkioWeight) {
		v.add(field, "%d is out of range %d-%d", *w, minBlkioWeight, maxBlkioWeight)
	}
}

func (v *validator) blockDevice(field string, major, minor int64) {
	if major < 0 || minor < 0 {
		v.add(field, "device %d:%d has a negative number", major, minor)
	}
}

func (v *validator) hugepages(limits []specs.LinuxHugepageLimit) {
	seen := make(map[string]bool, len(limits))
	for i, h := range limits {
		field := fmt.Sprintf("hugepageLimits[%d].pageSize", i)
		switch {
		case !pageSizeRE.MatchString(h.Pagesize):
			v.add(field, "%q is not a size like 2MB or 1GB", h.Pagesize)
		case seen[h.Pagesize]:
			v.add(field, "%q is listed twice", h.Pagesize)
		}
		seen[h.Pagesize] = true
	}
}

func (v *validator) devices(rules []specs.LinuxDeviceCgroup) {
	for i, d := range rules {
		field := fmt.Sprintf("devices[%d]", i)
		switch d.Type {
		case "", "a", "b", "c":
		default:
			v.add(field+".type", "%q is not one of a, b, c", d.Type)
		}
		if d.Major != nil && *d.Major < -1 {
			v.add(field+".major", "%d is negative (omit it or use -1 for any)", *d.Major)
		}
		if d.Minor != nil && *d.Minor < -1 {
			v.add(field+".minor", "%d is negative (omit it or use -1 for any)", *d.Minor)
		}
		if d.Access == "" || strings.Trim(d.Access, "rwm") != "" {
			v.add(field+".access", "%q is not a combination of r, w, m", d.Access)
		}
	}
}

// checkCPUList checks the kernel's list format used by cpuset.cpus and
// cpuset.mems: comma-separated numbers and ranges, "0-3,5,7-8". The empty
// string means "unset".
func checkCPUList(s string) error {
	if s == "" {
		return nil
	}
	for item := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		first, err := cpuIndex(lo)
		if err != nil {
			return err
		}
		if !isRange {
			continue
		}
		last, err := cpuIndex(hi)
		if err != nil {
			return err
		}
		if first > last {
			return fmt.Errorf("range %q is reversed", item)
		}
	}
	return nil
}

// cpuIndex parses one CPU or node number of a cpuset list.
func cpuIndex(s string) (int, error) {
	if s == "" || len(s) > 5 || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a CPU number", s)
	}
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	if n > maxCPUIndex {
		return 0, fmt.Errorf("%d exceeds the largest CPU number %d", n, maxCPUIndex)
	}
	return n, nil
}

// checkUnifiedKey checks a linux.resources.unified key: a file name of the
// form "<controller>.<parameter>", never a path.
func checkUnifiedKey(k string) error {
	if strings.ContainsAny(k, "/\x00") || k == "." || k == ".." {
		return errors.New("must be a file name, not a path")
	}
	if c, p, ok := strings.Cut(k, "."); !ok || c == "" || p == "" {
		return errors.New(`must have the form "controller.parameter"`)
	}
	return nil
}

// deref returns *p, or the zero value ("unset") for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
