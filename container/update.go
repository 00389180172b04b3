package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/runtime"
)

// Update changes a container's limits and restart policy, as Docker's
// update: on a running or paused container the limits change in its
// cgroup at once (through the runtime's update, which rolls back a write
// the kernel refuses); on any container they are recorded in its spec,
// so that every later start has them. A zero field keeps its value.
//
// The record is written first and the cgroup second; if the cgroup
// refuses the new limits (a memory limit below what the container uses,
// a CPU the host does not have), the previous record is written back, so
// that what the next start applies is what runs now.
func (s *Service) Update(ctx context.Context, id string, req api.ContainerUpdate) (api.ContainerUpdated, error) {
	if err := checkUpdate(req); err != nil {
		return api.ContainerUpdated{}, err
	}
	e, err := s.lookup(id)
	if err != nil {
		return api.ContainerUpdated{}, err
	}
	e.op.Lock()
	defer e.op.Unlock()
	if e.isRemoved() {
		return api.ContainerUpdated{}, fmt.Errorf("no such container: %s: %w", id, errdefs.ErrNotFound)
	}
	r := e.snapshot()
	if p := req.RestartPolicy; p != nil {
		policy, err := parseRestartPolicy(*p)
		if err != nil {
			return api.ContainerUpdated{}, err
		}
		if r.Config.AutoRemove && policy.name != "no" {
			return api.ContainerUpdated{}, fmt.Errorf("cannot update container %s: restart policy cannot be updated because AutoRemove is enabled for the container: %w",
				r.Name, errdefs.ErrInvalidArgument)
		}
	}
	spec, err := s.loadSpec(e)
	if err != nil {
		return api.ContainerUpdated{}, err
	}
	old := spec.Linux.Resources
	delta, err := resourcesUpdate(req, old)
	if err != nil {
		return api.ContainerUpdated{}, fmt.Errorf("cannot update container %s: %w", r.Name, err)
	}
	spec.Linux.Resources = cgroup.Merge(old, delta)
	if err := cgroup.Validate(spec.Linux.Resources); err != nil {
		return api.ContainerUpdated{}, fmt.Errorf("cannot update container %s: %w", r.Name, err)
	}
	newSpec, err := json.Marshal(spec)
	if err != nil {
		return api.ContainerUpdated{}, fmt.Errorf("encoding the spec of container %s: %w", r.Name, err)
	}
	e.mu.Lock()
	oldSpec := e.spec
	e.mu.Unlock()
	if err := s.recordUpdate(e, newSpec, func(rec *record) { applyUpdate(rec, req) }); err != nil {
		return api.ContainerUpdated{}, err
	}
	if r.State.Status == StateRunning || r.State.Status == StatePaused {
		if err := s.rt.Update(ctx, r.ID, delta); err != nil && !s.stoppedMeanwhile(ctx, r.ID, err) {
			err = fmt.Errorf("cannot update container %s: %w", r.Name, err)
			if rerr := s.recordUpdate(e, oldSpec, func(rec *record) { rec.Config = r.Config }); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restoring the previous record: %w", rerr))
			}
			return api.ContainerUpdated{}, err
		}
	}
	logctx.From(ctx).Info("container updated", "container", r.ID)
	s.publish(r, "update", nil)
	return api.ContainerUpdated{}, nil
}

// recordUpdate writes spec as the container's config.json and saves the
// record as change leaves it.
func (s *Service) recordUpdate(e *entry, spec []byte, change func(*record)) error {
	if err := atomicfile.Write(s.specPath(e.id), spec, 0o600); err != nil {
		return fmt.Errorf("recording the update of container %s: %w", e.name, err)
	}
	e.mu.Lock()
	e.spec = spec
	e.mu.Unlock()
	e.update(change)
	if err := s.save(e); err != nil {
		return fmt.Errorf("recording the update of container %s: %w", e.name, err)
	}
	return nil
}

// stoppedMeanwhile tells an update refused because the container's
// process is gone (it exited while we looked): its record alone is then
// enough, as for a stopped container.
func (s *Service) stoppedMeanwhile(ctx context.Context, id string, err error) bool {
	if !errors.Is(err, errdefs.ErrNotFound) && !errors.Is(err, errdefs.ErrConflict) {
		return false
	}
	st, serr := s.rt.State(ctx, id)
	return errors.Is(serr, errdefs.ErrNotFound) || (serr == nil && st.Status == runtime.StatusStopped)
}

// checkUpdate refuses what Docker refuses before looking at the
// container, with Docker's messages.
func checkUpdate(req api.ContainerUpdate) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf(format+": %w", append(args, errdefs.ErrInvalidArgument)...)
	}
	switch {
	case req.Memory < 0:
		return bad("invalid memory limit %d", req.Memory)
	case req.Memory != 0 && req.Memory < minMemory:
		return bad("Minimum memory limit allowed is 6MB")
	case req.MemorySwap < -1:
		return bad("invalid memory-swap limit %d: want -1 (unlimited) or a size", req.MemorySwap)
	case req.Memory > 0 && req.MemorySwap > 0 && req.MemorySwap < req.Memory:
		return bad("Minimum memoryswap limit should be larger than memory limit, see usage")
	case req.CPUShares < 0:
		return bad("invalid CPU shares %d", req.CPUShares)
	case req.NanoCPUs < 0:
		return bad("invalid CPU count %.2f", float64(req.NanoCPUs)/1e9)
	}
	if n := int64(goruntime.NumCPU()); req.NanoCPUs != 0 && (req.NanoCPUs < 1e7 || req.NanoCPUs > n*1e9) {
		return bad("Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", n, n)
	}
	if req.CpusetCpus != "" {
		if err := checkCpusetAvailable(req.CpusetCpus); err != nil {
			return err
		}
	}
	return nil
}

// checkCpusetAvailable refuses a cpuset list that does not parse or names
// a CPU that is not online.
func checkCpusetAvailable(list string) error {
	want, err := parseCPUList(list)
	if err != nil {
		return fmt.Errorf("Invalid value %s for cpuset cpus: %w", list, errdefs.ErrInvalidArgument)
	}
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil // the kernel checks when the limit is written
	}
	online, err := parseCPUList(strings.TrimSpace(string(b)))
	if err != nil {
		return nil
	}
	for cpu := range want {
		if !online[cpu] {
			return fmt.Errorf("Requested CPUs are not available - requested %s, available: %s: %w",
				list, strings.TrimSpace(string(b)), errdefs.ErrInvalidArgument)
		}
	}
	return nil
}

// parseCPUList parses the kernel's CPU list format: "0-3,5".
func parseCPUList(s string) (map[int]bool, error) {
	cpus := map[int]bool{}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("bad CPU %q", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b-a > 8192 {
				return nil, fmt.Errorf("bad CPU range %q", part)
			}
		}
		for i := a; i <= b; i++ {
			cpus[i] = true
		}
	}
	return cpus, nil
}

// resourcesUpdate turns req into the update cgroup.Merge applies to the
// current resources: only what req sets. It refuses, as Docker does, a
// memory limit above the current memory+swap total when the swap total
// is not updated with it.
func resourcesUpdate(req api.ContainerUpdate, current *specs.LinuxResources) (*specs.LinuxResources, error) {
	delta := &specs.LinuxResources{}
	if req.Memory != 0 || req.MemorySwap != 0 {
		delta.Memory = &specs.LinuxMemory{}
	}
	if req.Memory != 0 {
		if req.MemorySwap == 0 && current != nil && current.Memory != nil {
			if swap := current.Memory.Swap; swap != nil && *swap > 0 && req.Memory > *swap {
				return nil, fmt.Errorf("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time: %w",
					errdefs.ErrInvalidArgument)
			}
		}
		delta.Memory.Limit = &req.Memory
	}
	if req.MemorySwap != 0 {
		delta.Memory.Swap = &req.MemorySwap
	}
	if req.NanoCPUs != 0 || req.CPUShares != 0 || req.CpusetCpus != "" {
		delta.CPU = &specs.LinuxCPU{Cpus: req.CpusetCpus}
	}
	if req.NanoCPUs != 0 {
		quota, period := req.NanoCPUs*cpuPeriod/1e9, uint64(cpuPeriod)
		delta.CPU.Quota, delta.CPU.Period = &quota, &period
	}
	if req.CPUShares != 0 {
		shares := uint64(req.CPUShares)
		delta.CPU.Shares = &shares
	}
	if req.PidsLimit != nil {
		// 0 and -1 both lift the limit, as Docker's --pids-limit; Merge
		// takes -1 ("max") and would keep the current value for 0.
		limit := max(*req.PidsLimit, -1)
		if limit == 0 {
			limit = -1
		}
		delta.Pids = &specs.LinuxPids{Limit: &limit}
	}
	return delta, nil
}

// applyUpdate records req's changes in the container's configuration (as
// inspect shows it).
func applyUpdate(r *record, req api.ContainerUpdate) {
	res := &r.Config.Resources
	if req.Memory != 0 {
		res.Memory = req.Memory
	}
	if req.MemorySwap != 0 {
		res.MemorySwap = req.MemorySwap
	}
	if req.NanoCPUs != 0 {
		res.NanoCPUs = req.NanoCPUs
	}
	if req.CPUShares != 0 {
		res.CPUShares = req.CPUShares
	}
	if req.CpusetCpus != "" {
		res.CpusetCpus = req.CpusetCpus
	}
	if req.PidsLimit != nil {
		res.PidsLimit = max(*req.PidsLimit, 0)
	}
	if req.RestartPolicy != nil {
		r.Config.RestartPolicy = *req.RestartPolicy
		// A restart already scheduled by the old policy is called off, as
		// Docker's update does: the pending restart finds the container
		// no longer "restarting" and leaves it.
		if p, _ := parseRestartPolicy(*req.RestartPolicy); p.name == "no" && r.State.Status == StateRestarting {
			r.State.Status = StateExited
		}
	}
}
