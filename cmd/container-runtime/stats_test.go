package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// sampleStats is a sample with every counter set: 25% of one CPU of a
// 2-CPU host, 64 MiB of a 256 MiB limit after a 16 MiB inactive file
// cache, net and block I/O over two interfaces and devices.
func sampleStats(id, name string) api.ContainerStats {
	return api.ContainerStats{
		ID: id, Name: name,
		CPU:    api.CPUStats{TotalUsage: 1_500_000_000, SystemUsage: 12_000_000_000, OnlineCPUs: 2},
		PreCPU: api.CPUStats{TotalUsage: 1_000_000_000, SystemUsage: 8_000_000_000, OnlineCPUs: 2},
		Memory: api.MemoryStats{Usage: 80 << 20, Limit: 256 << 20, Stats: map[string]uint64{"total_inactive_file": 16 << 20}},
		Pids:   api.PidsStats{Current: 7},
		Networks: map[string]api.NetworkStats{
			"eth0": {RxBytes: 1000, TxBytes: 500}, "eth1": {RxBytes: 2400, TxBytes: 0},
		},
		BlockIO: api.BlockIOStats{IoServiceBytesRecursive: []api.BlockIOEntry{
			{Major: 8, Op: "Read", Value: 3 << 20}, {Major: 8, Op: "Write", Value: 1000}, {Major: 9, Op: "Read", Value: 1 << 20},
		}},
	}
}

func TestStatsRow(t *testing.T) {
	id := strings.Repeat("ab", 32)
	got := newStatsRow("web", sampleStats(id, "web"), false, true)
	want := statsRow{
		Container: "web", ID: id[:12], Name: "web",
		// (0.5e9 / 4e9) × 2 CPUs × 100
		CPUPerc:  "25.00%",
		MemUsage: "64MiB / 256MiB", MemPerc: "25.00%",
		NetIO: "3.4kB / 500B", BlockIO: "4.19MB / 1kB", PIDs: "7",
	}
	if got != want {
		t.Errorf("row =\n%+v\nwant\n%+v", got, want)
	}
	if r := newStatsRow("web", sampleStats(id, "web"), false, false); r.ID != id {
		t.Errorf("--no-trunc id = %q", r.ID)
	}
	// A container that is not running: zeros, as Docker shows them.
	stopped := newStatsRow("old", api.ContainerStats{ID: id, Name: "old"}, false, true)
	if stopped.CPUPerc != "0.00%" || stopped.MemUsage != "0B / 0B" || stopped.MemPerc != "0.00%" ||
		stopped.NetIO != "0B / 0B" || stopped.BlockIO != "0B / 0B" || stopped.PIDs != "0" {
		t.Errorf("stopped row = %+v", stopped)
	}
	invalid := newStatsRow("x", api.ContainerStats{}, true, true)
	if invalid.CPUPerc != "--" || invalid.MemUsage != "-- / --" || invalid.Name != "--" || invalid.PIDs != "--" {
		t.Errorf("invalid row = %+v", invalid)
	}
}

func TestMemUsageNoCache(t *testing.T) {
	for _, tt := range []struct {
		name string
		m    api.MemoryStats
		want uint64
	}{
		{"v1", api.MemoryStats{Usage: 100, Stats: map[string]uint64{"total_inactive_file": 30, "inactive_file": 10}}, 70},
		{"v2", api.MemoryStats{Usage: 100, Stats: map[string]uint64{"inactive_file": 40}}, 60},
		{"cache above usage", api.MemoryStats{Usage: 100, Stats: map[string]uint64{"total_inactive_file": 300}}, 100},
		{"no stats", api.MemoryStats{Usage: 100}, 100},
	} {
		if got := memUsageNoCache(tt.m); got != tt.want {
			t.Errorf("%s: memUsageNoCache = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestCPUPercent(t *testing.T) {
	s := api.ContainerStats{
		CPU:    api.CPUStats{TotalUsage: 300, SystemUsage: 1000, OnlineCPUs: 4},
		PreCPU: api.CPUStats{TotalUsage: 100, SystemUsage: 200},
	}
	if got := cpuPercent(s); got != 100 {
		t.Errorf("cpuPercent = %v, want 100 (200/800 × 4 CPUs)", got)
	}
	s.PreCPU.SystemUsage = 1000 // no time passed
	if got := cpuPercent(s); got != 0 {
		t.Errorf("cpuPercent without elapsed host time = %v, want 0", got)
	}
	s.PreCPU = api.CPUStats{TotalUsage: 400, SystemUsage: 200} // counter reset
	if got := cpuPercent(s); got != 0 {
		t.Errorf("cpuPercent with a smaller container time = %v, want 0", got)
	}
}

// statsDaemon answers the list and stats routes for two containers.
func statsDaemon(t *testing.T) *fakeDaemon {
	d := newFakeDaemon(t)
	ids := map[string]string{"web": strings.Repeat("a", 64), "db": strings.Repeat("b", 64)}
	d.handle("GET /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, []api.ContainerSummary{{ID: ids["web"], Name: "web"}, {ID: ids["db"], Name: "db"}})
	})
	d.handle("GET /v1/containers/{id}/stats", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		for name, full := range ids {
			if id == full || id == name {
				answerJSON(w, 200, sampleStats(full, name))
				return
			}
		}
		answerError(w, 404, api.KindNotFound, "no such container: "+id)
	})
	return d
}

func TestStatsNoStream(t *testing.T) {
	d := statsDaemon(t)
	res := d.run("", "stats", "--no-stream")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("output:\n%s", res.stdout)
	}
	header := strings.Fields(lines[0])
	if strings.Join(header, " ") != "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS" {
		t.Errorf("header %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "aaaaaaaaaaaa   web ") || !strings.Contains(lines[1], "25.00%") ||
		!strings.Contains(lines[1], "64MiB / 256MiB") || !strings.HasSuffix(lines[1], " 7") {
		t.Errorf("row %q", lines[1])
	}
	for _, call := range d.called() {
		if strings.Contains(call, "/stats") && !strings.Contains(call, "stream=false") {
			t.Errorf("--no-stream asked %s", call)
		}
	}

	res = d.run("", "stats", "--no-stream", "--format", "json", "web")
	var obj map[string]string
	if err := json.Unmarshal([]byte(res.stdout), &obj); err != nil {
		t.Fatalf("--format json: %q: %v", res.stdout, err)
	}
	want := map[string]string{
		"BlockIO": "4.19MB / 1kB", "CPUPerc": "25.00%", "Container": "web", "ID": "aaaaaaaaaaaa",
		"MemPerc": "25.00%", "MemUsage": "64MiB / 256MiB", "Name": "web", "NetIO": "3.4kB / 500B", "PIDs": "7",
	}
	if len(obj) != len(want) {
		t.Errorf("json keys %v, want %v", obj, want)
	}
	for k, v := range want {
		if obj[k] != v {
			t.Errorf("json %s = %q, want %q", k, obj[k], v)
		}
	}

	res = d.run("", "stats", "--no-stream", "--no-trunc", "--format", "{{.Container}} {{.ID}} {{.PIDs}}", "db")
	if got := strings.TrimSpace(res.stdout); got != "db "+strings.Repeat("b", 64)+" 7" {
		t.Errorf("template output %q", got)
	}

	res = d.run("", "stats", "--no-stream", "web", "nosuch")
	if res.code != 1 || !strings.Contains(res.stderr, "no such container: nosuch") || res.stdout != "" {
		t.Errorf("a missing container: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

// A streaming stats on a pipe prints one table per refresh, from the
// daemon's stream.
func TestStatsStream(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/containers/{id}/stats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("stream") == "false" {
			answerJSON(w, 200, sampleStats("c1", "c1"))
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i := range 3 {
			s := sampleStats("c1", "c1")
			s.Pids.Current = uint64(100 + i)
			json.NewEncoder(w).Encode(s)
			w.(http.Flusher).Flush()
			time.Sleep(400 * time.Millisecond)
		}
		<-r.Context().Done()
	})
	cmd := runCLIAsync(d, "stats", "c1")
	out := cmd.waitFor(t, "102", 10*time.Second)
	cmd.stop()
	if n := strings.Count(out, "CONTAINER ID"); n < 2 {
		t.Errorf("%d tables, want one per refresh:\n%s", n, out)
	}
	if !strings.Contains(out, " 7\n") {
		t.Errorf("the first table is not the one-shot sample:\n%s", out)
	}
}

func TestUpdateRequest(t *testing.T) {
	d := newFakeDaemon(t)
	var got []api.ContainerUpdate
	d.handle("POST /v1/containers/{id}/update", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "nosuch" {
			answerError(w, 404, api.KindNotFound, "no such container: nosuch")
			return
		}
		var req api.ContainerUpdate
		decode(t, r, &req)
		got = append(got, req)
		answerJSON(w, 200, api.ContainerUpdated{})
	})
	res := d.run("", "update", "-m", "128m", "--memory-swap", "-1", "--cpus", "1.5", "-c", "512",
		"--cpuset-cpus", "0", "--pids-limit", "-1", "--restart", "on-failure:3", "a", "b")
	if res.code != 0 || res.stdout != "a\nb\n" {
		t.Fatalf("update: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	want := api.ContainerUpdate{Memory: 128 << 20, MemorySwap: -1, NanoCPUs: 1.5e9, CPUShares: 512, CpusetCpus: "0"}
	r := got[0]
	if r.PidsLimit == nil || *r.PidsLimit != -1 || r.RestartPolicy == nil || *r.RestartPolicy != (api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}) {
		t.Errorf("pids %v restart %v", r.PidsLimit, r.RestartPolicy)
	}
	r.PidsLimit, r.RestartPolicy = nil, nil
	if r != want || len(got) != 2 {
		t.Errorf("request %+v (%d sent), want %+v", r, len(got), want)
	}

	// Only what is given is sent.
	got = nil
	if res := d.run("", "update", "--pids-limit", "50", "a"); res.code != 0 || got[0].Memory != 0 || got[0].RestartPolicy != nil || *got[0].PidsLimit != 50 {
		t.Errorf("--pids-limit alone: exit %d, sent %+v", res.code, got)
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"update", "a"}, 1, "you must provide one or more flags"},
		{[]string{"update", "-m", "lots", "a"}, 125, `invalid argument "lots" for --memory`},
		{[]string{"update", "--cpus", "-1", "a"}, 125, "--cpus"},
		{[]string{"update", "--restart", "sometimes", "a"}, 125, "sometimes"},
		{[]string{"update", "-m", "64m"}, 1, "requires at least 1 arg"},
		{[]string{"update", "-m", "64m", "a", "nosuch"}, 1, "no such container: nosuch"},
	} {
		res := d.run("", tt.args...)
		if res.code != tt.code || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, res.code, res.stderr, tt.code, tt.want)
		}
	}
}

// asyncCLI is a CLI invocation running in the background.
type asyncCLI struct {
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// runCLIAsync runs the CLI against d until stop.
func runCLIAsync(d *fakeDaemon, args ...string) *asyncCLI {
	ctx, cancel := context.WithCancel(context.Background())
	a := &asyncCLI{out: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		a.done <- run(ctx, args, stdio{in: strings.NewReader(""), out: a.out, err: a.out},
			func(k string) string { return map[string]string{"CONTAINER_RUNTIME_HOST": d.host}[k] })
	}()
	return a
}

// waitFor waits until the output holds s, and returns it.
func (a *asyncCLI) waitFor(t *testing.T, s string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if out := a.out.String(); strings.Contains(out, s) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q in the output within %v:\n%s", s, timeout, a.out.String())
	return ""
}

// stop cancels the invocation and waits for it.
func (a *asyncCLI) stop() {
	a.cancel()
	<-a.done
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
