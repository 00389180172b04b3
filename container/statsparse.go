package container

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/api"
)

// nsPerTick converts /proc/stat's USER_HZ ticks to nanoseconds.
const nsPerTick = 1e9 / clockTicks

// parseProcStat reads the host's CPU time and online CPUs from
// /proc/stat. The time is Docker's system_cpu_usage: the first "cpu" line's
// user, nice, system, idle, iowait, irq and softirq ticks (steal and the
// guest times, which user already includes, are left out) in
// nanoseconds. The kernel lists only online CPUs as "cpuN" lines.
func parseProcStat(b []byte) (system uint64, online uint32, err error) {
	found := false
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		if f[0] != "cpu" {
			if _, err := strconv.ParseUint(f[0][3:], 10, 32); err == nil {
				online++
			}
			continue
		}
		if len(f) < 8 {
			return 0, 0, fmt.Errorf("parsing /proc/stat: the cpu line has %d fields, want at least 8", len(f))
		}
		var ticks uint64
		for _, v := range f[1:8] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("parsing /proc/stat's cpu line: %w", err)
			}
			ticks += n
		}
		system, found = ticks*nsPerTick, true
	}
	if !found {
		return 0, 0, fmt.Errorf("parsing /proc/stat: no cpu line")
	}
	return system, online, nil
}

// parseNetDev reads /proc/net/dev (two header lines, then one line per
// interface: "name: 8 receive counters 8 transmit counters"). The
// loopback interface is left out, as Docker leaves it out: its traffic
// never leaves the container.
func parseNetDev(b []byte) (map[string]api.NetworkStats, error) {
	nets := map[string]api.NetworkStats{}
	for line := range bytes.Lines(b) {
		// A long counter may follow the colon without a space.
		name, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue // a header line
		}
		iface := string(bytes.TrimSpace(name))
		f := strings.Fields(string(rest))
		if len(f) < 16 {
			return nil, fmt.Errorf("parsing /proc/net/dev: interface %q has %d counters, want 16", iface, len(f))
		}
		var n [16]uint64
		for i := range n {
			v, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("parsing /proc/net/dev: interface %q: %w", iface, err)
			}
			n[i] = v
		}
		if iface == "lo" {
			continue
		}
		// Receive: bytes packets errs drop fifo frame compressed
		// multicast; transmit: bytes packets errs drop fifo colls
		// carrier compressed.
		nets[iface] = api.NetworkStats{
			RxBytes: n[0], RxPackets: n[1], RxErrors: n[2], RxDropped: n[3],
			TxBytes: n[8], TxPackets: n[9], TxErrors: n[10], TxDropped: n[11],
		}
	}
	return nets, nil
}

// parseMemTotal reads MemTotal from /proc/meminfo, in bytes.
func parseMemTotal(b []byte) (uint64, error) {
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing MemTotal in /proc/meminfo: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("parsing /proc/meminfo: no MemTotal")
}
