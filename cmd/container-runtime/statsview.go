package main

import (
	"strconv"

	units "github.com/docker/go-units"

	"github.com/container-runtime/container-runtime/api"
)

// statsTableFormat is Docker's default stats table.
const statsTableFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

// statsRow is one container of stats as Docker's templates see it
// (docker/cli's statsContext): every value a string rendered as Docker
// renders it. The fields are in alphabetical order, the order of
// Docker's `--format json` objects.
type statsRow struct {
	BlockIO   string
	CPUPerc   string
	Container string
	ID        string
	MemPerc   string
	MemUsage  string
	Name      string
	NetIO     string
	PIDs      string
}

// statsHeader holds the column names of the table form.
var statsHeader = statsRow{
	BlockIO: "BLOCK I/O", CPUPerc: "CPU %", Container: "CONTAINER", ID: "CONTAINER ID",
	MemPerc: "MEM %", MemUsage: "MEM USAGE / LIMIT", Name: "NAME", NetIO: "NET I/O", PIDs: "PIDS",
}

// newStatsRow renders a sample of the container named container (as the
// user gave it, or its short id). An invalid sample (its stream failed)
// shows "--" as Docker's does.
func newStatsRow(container string, s api.ContainerStats, invalid, trunc bool) statsRow {
	row := statsRow{Container: container, ID: s.ID, Name: s.Name}
	if trunc {
		row.ID = shortID(s.ID)
	}
	if row.Name == "" {
		row.Name = "--"
	}
	if invalid {
		row.CPUPerc, row.MemUsage, row.MemPerc, row.NetIO, row.BlockIO, row.PIDs = "--", "-- / --", "--", "--", "--", "--"
		return row
	}
	mem := memUsageNoCache(s.Memory)
	rx, tx := netIO(s.Networks)
	read, write := blockIO(s.BlockIO)
	row.CPUPerc = percent(cpuPercent(s))
	row.MemUsage = units.BytesSize(float64(mem)) + " / " + units.BytesSize(float64(s.Memory.Limit))
	row.MemPerc = percent(memPercent(mem, s.Memory.Limit))
	row.NetIO = humanSize(int64(rx)) + " / " + humanSize(int64(tx))
	row.BlockIO = humanSize(int64(read)) + " / " + humanSize(int64(write))
	row.PIDs = strconv.FormatUint(s.Pids.Current, 10)
	return row
}

// cpuPercent is Docker's CPU percentage: the container's share of the
// host's CPU time between the two readings of the sample, times the
// online CPUs (so one busy CPU is 100%).
func cpuPercent(s api.ContainerStats) float64 {
	cpu := float64(s.CPU.TotalUsage) - float64(s.PreCPU.TotalUsage)
	system := float64(s.CPU.SystemUsage) - float64(s.PreCPU.SystemUsage)
	if cpu <= 0 || system <= 0 {
		return 0
	}
	return cpu / system * float64(s.CPU.OnlineCPUs) * 100
}

// memUsageNoCache is the usage without the inactive file cache, which the
// kernel reclaims first, as Docker computes it: total_inactive_file on
// cgroup v1, inactive_file on v2.
func memUsageNoCache(m api.MemoryStats) uint64 {
	if v, ok := m.Stats["total_inactive_file"]; ok && v < m.Usage {
		return m.Usage - v
	}
	if v := m.Stats["inactive_file"]; v < m.Usage {
		return m.Usage - v
	}
	return m.Usage
}

func memPercent(usage, limit uint64) float64 {
	if limit == 0 {
		return 0
	}
	return float64(usage) / float64(limit) * 100
}

// netIO sums the bytes received and sent over every interface.
func netIO(nets map[string]api.NetworkStats) (rx, tx uint64) {
	for _, n := range nets {
		rx += n.RxBytes
		tx += n.TxBytes
	}
	return rx, tx
}

// blockIO sums the bytes read and written on every device.
func blockIO(b api.BlockIOStats) (read, write uint64) {
	for _, e := range b.IoServiceBytesRecursive {
		switch e.Op {
		case "Read", "read":
			read += e.Value
		case "Write", "write":
			write += e.Value
		}
	}
	return read, write
}

func percent(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }
