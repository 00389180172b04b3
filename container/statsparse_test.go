package container

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

func TestParseProcStat(t *testing.T) {
	stat := "cpu  100 2 30 4000 5 6 7 8 9 10\ncpu0 50 1 15 2000 2 3 3 4 0 0\ncpu1 50 1 15 2000 3 3 4 4 0 0\n" +
		"intr 12345 0 0\nctxt 999\nbtime 1700000000\nprocesses 42\n"
	system, online, err := parseProcStat([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	// user..softirq: 100+2+30+4000+5+6+7 ticks of 10 ms; steal (8) and
	// the guest times are not counted.
	if want := uint64(4150) * 10_000_000; system != want {
		t.Errorf("system = %d, want %d", system, want)
	}
	if online != 2 {
		t.Errorf("online = %d, want 2", online)
	}

	for name, bad := range map[string]string{
		"no cpu line":     "intr 1\nctxt 2\n",
		"short cpu line":  "cpu 1 2 3\n",
		"not a number":    "cpu 1 2 x 4 5 6 7\n",
		"negative number": "cpu 1 2 -3 4 5 6 7\n",
	} {
		if _, _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("%s: parseProcStat(%q) succeeded", name, bad)
		}
	}
}

func TestParseNetDev(t *testing.T) {
	dev := `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     840      10    0    0    0     0          0         0      840      10    0    0    0     0       0          0
  eth0:1234567890   16    1    2    0     0          0         0      656       8    3    4    0     0       0          0
 veth9:      5       1    0    0    0     0          0         0        6       1    0    0    0     0       0          0
`
	got, err := parseNetDev([]byte(dev))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]api.NetworkStats{
		"eth0":  {RxBytes: 1234567890, RxPackets: 16, RxErrors: 1, RxDropped: 2, TxBytes: 656, TxPackets: 8, TxErrors: 3, TxDropped: 4},
		"veth9": {RxBytes: 5, RxPackets: 1, TxBytes: 6, TxPackets: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseNetDev = %+v\nwant %+v", got, want)
	}
	for name, bad := range map[string]string{
		"too few counters": "eth0: 1 2 3\n",
		"not a number":     "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n",
	} {
		if _, err := parseNetDev([]byte(bad)); err == nil {
			t.Errorf("%s: parseNetDev(%q) succeeded", name, bad)
		}
	}
}

func FuzzParseNetDev(f *testing.F) {
	f.Add([]byte("Inter-| Receive\n face |bytes\n  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"))
	f.Add([]byte("lo:0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"))
	f.Add([]byte(":::\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		nets, err := parseNetDev(b)
		if err != nil && nets != nil {
			t.Errorf("an error with counters: %v", nets)
		}
		if _, ok := nets["lo"]; ok {
			t.Errorf("lo is counted")
		}
	})
}

func TestParseMemTotal(t *testing.T) {
	got, err := parseMemTotal([]byte("MemTotal:       24684352 kB\nMemFree:        21200000 kB\n"))
	if err != nil || got != 24684352<<10 {
		t.Errorf("parseMemTotal = %d, %v; want %d", got, err, uint64(24684352)<<10)
	}
	if _, err := parseMemTotal([]byte("MemFree: 1 kB\n")); err == nil {
		t.Error("parseMemTotal without MemTotal succeeded")
	}
}

// The reading a sample pairs with: the newest kept one at least
// minWindow old; else the run's start, with the host's CPU time then
// computed back from now.
func TestCPUMarksPre(t *testing.T) {
	c := newCPUMarks()
	start := time.Unix(1000, 0)
	rm := &runMarks{started: start}
	now := start.Add(10 * time.Second)
	const system = uint64(100e9)

	got := c.pre(rm, now, system, 2)
	if want := (cpuMark{at: start, system: system - 20e9}); got != want {
		t.Errorf("no marks: pre = %+v, want the start %+v (10 s × 2 CPUs earlier)", got, want)
	}
	old := cpuMark{at: now.Add(-1200 * time.Millisecond), cpu: 5, system: 90e9}
	recent := cpuMark{at: now.Add(-200 * time.Millisecond), cpu: 7, system: 99e9}
	c.add(rm, cpuMark{at: now.Add(-2200 * time.Millisecond)})
	c.add(rm, old)
	c.add(rm, recent)
	if len(rm.marks) != keptMarks {
		t.Errorf("kept %d marks, want %d", len(rm.marks), keptMarks)
	}
	if got := c.pre(rm, now, system, 2); got != old {
		t.Errorf("pre = %+v, want the newest mark at least %v old %+v", got, minWindow, old)
	}
	if got := c.pre(rm, now.Add(400*time.Millisecond), system, 2); got != recent {
		t.Errorf("600 ms later: pre = %+v, want %+v", got, recent)
	}
	// A start in the future (clock steps) or a host time smaller than the
	// elapsed time never underflows.
	if got := c.pre(&runMarks{started: now}, start, 5, 2); got.system != 5 {
		t.Errorf("start after now: pre.system = %d, want 5", got.system)
	}
	if got := c.pre(&runMarks{started: start}, now, 5, 2); got.system != 0 {
		t.Errorf("host time below elapsed: pre.system = %d, want 0", got.system)
	}

	running := map[string]time.Time{"a": start}
	c.runs["a"], c.runs["b"], c.runs["c"] = rm, &runMarks{started: start}, &runMarks{started: start}
	running["c"] = start.Add(time.Second) // restarted since
	c.keepOnly(running)
	if len(c.runs) != 1 || c.runs["a"] != rm {
		t.Errorf("keepOnly kept %v, want only a", strings.Join(keys(c.runs), ","))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
