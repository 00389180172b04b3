package container

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/cgroup"
)

// How a single sample gets its CPU percentage at once.
//
// A CPU percentage needs two readings, some time apart, of the
// container's CPU time and the host's. Docker's daemon, asked for one
// sample (`docker stats --no-stream`), waits for its collector's next
// tick to have the second: about a second per call. This service instead
// keeps, for every running container, the readings of the last two ticks
// of a one-second ticker (cpuMarks). A sample takes one reading now and
// pairs it with the newest kept reading at least minWindow old, so it
// answers at once and its window is 0.5 to 1.5 s, Docker's window give or
// take half a second. A container younger than its first tick is paired
// with its start: no CPU time at StartedAt, when the host's CPU time was
// the current one less the elapsed time on every online CPU (/proc/stat
// counts idle time too), so its percentage is the one since it started.
// A tick costs one read of /proc/stat and one small file per running
// container (cpuacct.usage, or cpu.stat on v2).
const (
	markInterval   = time.Second
	minWindow      = 500 * time.Millisecond
	streamInterval = time.Second
	// keptMarks is how many tick readings are kept per run.
	keptMarks = 2
)

// cpuMark is one reading: the container's and the host's cumulative CPU
// time (ns) at a moment.
type cpuMark struct {
	at          time.Time
	cpu, system uint64
}

// cpuMarks holds the kept readings of the running containers, and their
// cgroup managers, loaded once per run.
type cpuMarks struct {
	mu   sync.Mutex
	runs map[string]*runMarks // by container id

	memOnce  sync.Once
	hostMem  uint64 // MemTotal, read once as Docker reads it once
	procRoot string // "/proc"; tests point it elsewhere
}

// runMarks are the readings of one run of a container.
type runMarks struct {
	started time.Time // the run's StartedAt: a new run starts afresh
	cg      cgroup.Manager
	marks   []cpuMark // oldest first
}

func newCPUMarks() *cpuMarks {
	return &cpuMarks{runs: map[string]*runMarks{}, procRoot: "/proc"}
}

// run returns the kept state of container id's run started at started,
// replacing that of an earlier run.
func (c *cpuMarks) run(id, cgroupsPath string, started time.Time) (*runMarks, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rm := c.runs[id]; rm != nil && rm.started.Equal(started) {
		return rm, nil
	}
	// cgroupsPath is the spec's: "" (no --cgroup-parent) is where the
	// cgroup package puts a container without one.
	cg, err := cgroup.New(id, cgroupsPath, nil)
	if err != nil {
		return nil, err
	}
	rm := &runMarks{started: started, cg: cg}
	c.runs[id] = rm
	return rm, nil
}

// add keeps m as the newest reading of a run.
func (c *cpuMarks) add(rm *runMarks, m cpuMark) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rm.marks = append(rm.marks, m)
	if len(rm.marks) > keptMarks {
		rm.marks = slices.Delete(rm.marks, 0, len(rm.marks)-keptMarks)
	}
}

// pre returns the reading to pair with now's: the newest kept one at
// least minWindow old, else the run's start (see the comment above).
func (c *cpuMarks) pre(rm *runMarks, now time.Time, system uint64, online uint32) cpuMark {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(rm.marks) - 1; i >= 0; i-- {
		if now.Sub(rm.marks[i].at) >= minWindow {
			return rm.marks[i]
		}
	}
	elapsed := uint64(max(now.Sub(rm.started), 0)) * uint64(online)
	return cpuMark{at: rm.started, system: system - min(elapsed, system)}
}

// keepOnly forgets the runs that are not in running (id → StartedAt).
func (c *cpuMarks) keepOnly(running map[string]time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, rm := range c.runs {
		if started, ok := running[id]; !ok || !started.Equal(rm.started) {
			delete(c.runs, id)
		}
	}
}

// hostCPU reads the host's CPU time and online CPUs.
func (c *cpuMarks) hostCPU() (uint64, uint32, error) {
	b, err := os.ReadFile(c.procRoot + "/stat")
	if err != nil {
		return 0, 0, fmt.Errorf("reading the host's CPU time: %w", err)
	}
	return parseProcStat(b)
}

// hostMemory is the host's memory, the limit reported for a container
// without one; 0 if /proc/meminfo cannot be read.
func (c *cpuMarks) hostMemory() uint64 {
	c.memOnce.Do(func() {
		if b, err := os.ReadFile(c.procRoot + "/meminfo"); err == nil {
			c.hostMem, _ = parseMemTotal(b)
		}
	})
	return c.hostMem
}

// markCPU runs until ctx ends, taking a reading of every running
// container at each tick.
func (s *Service) markCPU(ctx context.Context) {
	t := time.NewTicker(markInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.markCPUOnce()
		}
	}
}

// markCPUOnce takes one reading of every running (or paused) container.
func (s *Service) markCPUOnce() {
	running := s.runningSince()
	s.cpu.keepOnly(running)
	if len(running) == 0 {
		return
	}
	system, _, err := s.cpu.hostCPU()
	if err != nil {
		return // the next tick tries again; samples fall back to the start
	}
	now := time.Now()
	for id, started := range running {
		rm, err := s.cpu.run(id, s.cgroupsPathOf(id), started)
		if err != nil {
			continue
		}
		if usage, err := rm.cg.CPUUsage(); err == nil {
			s.cpu.add(rm, cpuMark{at: now, cpu: usage, system: system})
		}
	}
}

// runningSince maps the running and paused containers to the start of
// their run.
func (s *Service) runningSince() map[string]time.Time {
	s.mu.Lock()
	entries := slices.Collect(maps.Values(s.containers))
	s.mu.Unlock()
	running := map[string]time.Time{}
	for _, e := range entries {
		e.mu.Lock()
		st := e.rec.State
		e.mu.Unlock()
		if st.Status == StateRunning || st.Status == StatePaused {
			running[e.id] = st.StartedAt
		}
	}
	return running
}

// Stats sends samples of container id's usage to send: one, or with
// stream one per second until ctx ends or the container is removed. A
// container that is not running gives samples with only its id, name and
// time, as Docker's do.
func (s *Service) Stats(ctx context.Context, id string, stream bool, send func(api.ContainerStats) error) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	var pre *cpuMark
	for {
		st, mark, err := s.sample(e, pre)
		if err != nil {
			return err
		}
		if err := send(st); err != nil {
			return err
		}
		if !stream {
			return nil
		}
		// The next sample of the stream pairs with this one.
		pre = mark
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(streamInterval):
		}
		if e.isRemoved() {
			return nil
		}
	}
}

// sample reads the container's counters now and pairs them with pre, or
// with a kept reading when pre is nil. It returns the reading the next
// sample of a stream pairs with (nil when the container does not run).
func (s *Service) sample(e *entry, pre *cpuMark) (api.ContainerStats, *cpuMark, error) {
	r := e.snapshot()
	now := time.Now()
	out := api.ContainerStats{ID: r.ID, Name: r.Name, Read: now.UTC()}
	if r.State.Status != StateRunning && r.State.Status != StatePaused {
		return out, nil, nil
	}
	rm, err := s.cpu.run(r.ID, cgroupsPath(r.Config, r.ID), r.State.StartedAt)
	if err != nil {
		return out, nil, fmt.Errorf("stats of %s: %w", r.Name, err)
	}
	st, err := rm.cg.Stats()
	if err != nil {
		if isNotFound(err) {
			return out, nil, nil // the run ended while we looked
		}
		return out, nil, fmt.Errorf("stats of %s: %w", r.Name, err)
	}
	system, online, err := s.cpu.hostCPU()
	if err != nil {
		return out, nil, fmt.Errorf("stats of %s: %w", r.Name, err)
	}
	mark := cpuMark{at: now, cpu: st.CPU.Total, system: system}
	if pre == nil {
		p := s.cpu.pre(rm, now, system, online)
		pre = &p
	}
	out.PreRead = pre.at.UTC()
	out.PreCPU = api.CPUStats{TotalUsage: pre.cpu, SystemUsage: pre.system, OnlineCPUs: online}
	out.CPU = api.CPUStats{
		TotalUsage: st.CPU.Total, UsageInUsermode: st.CPU.User, UsageInKernelmode: st.CPU.System,
		SystemUsage: system, OnlineCPUs: online,
		Periods: st.CPU.Periods, ThrottledPeriods: st.CPU.ThrottledPeriods, ThrottledTime: st.CPU.ThrottledTime,
	}
	out.Memory = api.MemoryStats{
		Usage: st.Memory.Usage, MaxUsage: st.Memory.MaxUsage, Limit: st.Memory.Limit,
		Failcnt: st.Memory.Failcnt, Stats: st.Memory.Stats,
	}
	// Without a limit the kernel reports its largest value; Docker shows
	// the host's memory instead.
	if host := s.cpu.hostMemory(); host > 0 && out.Memory.Limit > host {
		out.Memory.Limit = host
	}
	out.Pids = api.PidsStats{Current: st.Pids.Current, Limit: st.Pids.Limit}
	for _, b := range st.BlockIO {
		out.BlockIO.IoServiceBytesRecursive = append(out.BlockIO.IoServiceBytesRecursive,
			api.BlockIOEntry{Major: b.Major, Minor: b.Minor, Op: b.Op, Value: b.Value})
	}
	// The host's network counters are not the container's.
	if r.Network != "host" && r.State.Pid > 0 {
		if b, err := os.ReadFile(s.cpu.procRoot + "/" + strconv.Itoa(r.State.Pid) + "/net/dev"); err == nil {
			out.Networks, _ = parseNetDev(b)
		}
	}
	return out, &mark, nil
}
