package docker

import (
	"encoding/json"
	"net/http"

	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// statsOf is a usage sample in Docker's shape (the snake_case fields the
// docker CLI computes its percentages from).
func statsOf(s api.ContainerStats) container.StatsResponse {
	out := container.StatsResponse{
		ID: s.ID, Name: "/" + s.Name, OSType: "linux", Read: s.Read, PreRead: s.PreRead,
		CPUStats: cpuStatsOf(s.CPU), PreCPUStats: cpuStatsOf(s.PreCPU),
		MemoryStats: container.MemoryStats{Usage: s.Memory.Usage, MaxUsage: s.Memory.MaxUsage, Limit: s.Memory.Limit,
			Failcnt: s.Memory.Failcnt, Stats: s.Memory.Stats},
		PidsStats:  container.PidsStats{Current: s.Pids.Current, Limit: s.Pids.Limit},
		BlkioStats: container.BlkioStats{IoServiceBytesRecursive: []container.BlkioStatEntry{}},
	}
	for _, e := range s.BlockIO.IoServiceBytesRecursive {
		out.BlkioStats.IoServiceBytesRecursive = append(out.BlkioStats.IoServiceBytesRecursive,
			container.BlkioStatEntry{Major: e.Major, Minor: e.Minor, Op: e.Op, Value: e.Value})
	}
	if len(s.Networks) > 0 {
		out.Networks = map[string]container.NetworkStats{}
		for name, n := range s.Networks {
			out.Networks[name] = container.NetworkStats{RxBytes: n.RxBytes, RxPackets: n.RxPackets, RxErrors: n.RxErrors,
				RxDropped: n.RxDropped, TxBytes: n.TxBytes, TxPackets: n.TxPackets, TxErrors: n.TxErrors, TxDropped: n.TxDropped}
		}
	}
	return out
}

func cpuStatsOf(c api.CPUStats) container.CPUStats {
	return container.CPUStats{
		CPUUsage:    container.CPUUsage{TotalUsage: c.TotalUsage, UsageInKernelmode: c.UsageInKernelmode, UsageInUsermode: c.UsageInUsermode},
		SystemUsage: c.SystemUsage, OnlineCPUs: c.OnlineCPUs,
		ThrottlingData: container.ThrottlingData{Periods: c.Periods, ThrottledPeriods: c.ThrottledPeriods, ThrottledTime: c.ThrottledTime},
	}
}

// containerStats is GET /containers/{id}/stats?stream=&one-shot=: JSON
// samples, one a line (one only without stream).
func (h *Handler) containerStats(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	stream := !q.has("stream") || q.bool("stream")
	ctx, cancel := h.streamCtx(r.Context())
	defer cancel()
	fw := newFlushWriter(w, "application/json")
	enc := json.NewEncoder(fw)
	return h.cfg.Containers.Stats(ctx, r.PathValue("id"), stream, func(s api.ContainerStats) error {
		return enc.Encode(statsOf(s))
	})
}

// containerUpdate is POST /containers/{id}/update (docker update): the
// limits we enforce and the restart policy; any other field set is
// refused, as at create.
func (h *Handler) containerUpdate(w http.ResponseWriter, r *http.Request) error {
	var req container.UpdateConfig
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	res := req.Resources
	// toResources refuses what we do not enforce; swap is the update's own.
	swap := res.MemorySwap
	res.MemorySwap = 0
	mapped, err := toResources(res)
	if err != nil {
		return err
	}
	if err := refuseInUpdate(res); err != nil { // limits.go
		return err
	}
	up := api.ContainerUpdate{Memory: mapped.Memory, MemorySwap: swap, NanoCPUs: mapped.NanoCPUs,
		CPUShares: mapped.CPUShares, CpusetCpus: mapped.CpusetCpus, PidsLimit: req.PidsLimit}
	if req.Resources.CPUQuota > 0 && req.NanoCPUs == 0 {
		up.NanoCPUs = quotaNanoCPUs(res.CPUQuota, res.CPUPeriod)
	}
	if req.RestartPolicy.Name != "" {
		up.RestartPolicy = &api.RestartPolicy{Name: string(req.RestartPolicy.Name), MaximumRetryCount: req.RestartPolicy.MaximumRetryCount}
	}
	if req.Resources.CgroupParent != "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "CgroupParent: cannot be changed by an update")
	}
	done, err := h.cfg.Containers.Update(r.Context(), r.PathValue("id"), up)
	if err != nil {
		return err
	}
	warnings := done.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return writeJSON(w, http.StatusOK, container.UpdateResponse{Warnings: warnings})
}
