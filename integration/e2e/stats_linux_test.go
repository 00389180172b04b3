package e2e

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// statsOf reads one sample of a container through the API.
func statsOf(t *testing.T, d *daemon.Daemon, name string) api.ContainerStats {
	t.Helper()
	s, err := d.Client.ContainerStats(context.Background(), name)
	if err != nil {
		t.Fatalf("stats of %s: %v", name, err)
	}
	return s
}

// statsJSON runs `stats --no-stream --format json NAME` and decodes the
// object Docker prints.
func statsJSON(t *testing.T, d *daemon.Daemon, name string) map[string]string {
	t.Helper()
	out := d.OK(t, "stats", "--no-stream", "--format", "json", name)
	var row map[string]string
	if err := json.Unmarshal([]byte(out), &row); err != nil {
		t.Fatalf("stats --format json %s: %q: %v", name, out, err)
	}
	return row
}

func memNoCache(m api.MemoryStats) uint64 {
	if v, ok := m.Stats["total_inactive_file"]; ok && v < m.Usage {
		return m.Usage - v
	}
	if v := m.Stats["inactive_file"]; v < m.Usage {
		return m.Usage - v
	}
	return m.Usage
}

func rxtx(nets map[string]api.NetworkStats) (rx, tx uint64) {
	for _, n := range nets {
		rx, tx = rx+n.RxBytes, tx+n.TxBytes
	}
	return rx, tx
}

// TestStats drives stats through the real daemon and CLI: the counters
// move with what the container does (memory it fills, processes it
// forks, packets it sends on the bridge, CPU it burns), the table and
// the template fields are Docker's, and -a shows stopped containers.
func TestStats(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)
	id := strings.TrimSpace(d.OK(t, "run", "-d", "--name", "s", "-m", "256m", "--pids-limit", "100", img, "sleep", "1000"))
	d.OK(t, "run", "-d", "--name", "burn", "--network", "none", img, "sh", "-c", "while :; do :; done")
	d.OK(t, "create", "--name", "idle", img, "true")

	before := statsOf(t, d, "s")
	if before.ID != id || before.Name != "s" || before.Memory.Limit != 256<<20 || before.Pids.Limit != 100 {
		t.Errorf("first sample: id %q name %q limit %d pids limit %d", before.ID, before.Name, before.Memory.Limit, before.Pids.Limit)
	}
	if before.Pids.Current != 1 {
		t.Errorf("pids of a lone sleep = %d, want 1", before.Pids.Current)
	}
	if before.CPU.OnlineCPUs == 0 || before.CPU.SystemUsage <= before.PreCPU.SystemUsage || before.PreRead.After(before.Read) {
		t.Errorf("CPU readings: %+v then %+v (read %v after %v)", before.PreCPU, before.CPU, before.Read, before.PreRead)
	}

	t.Run("memory", func(t *testing.T) {
		// /dev/shm is a tmpfs: its pages are charged to the container
		// and are not file cache, so they stay in the usage Docker shows.
		d.OK(t, "exec", "s", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1048576", "count=48")
		after := statsOf(t, d, "s")
		if got, was := memNoCache(after.Memory), memNoCache(before.Memory); got < was+40<<20 {
			t.Errorf("memory usage %d after filling 48 MiB, was %d", got, was)
		}
		row := statsJSON(t, d, "s")
		if !regexp.MustCompile(`^[0-9.]+MiB / 256MiB$`).MatchString(row["MemUsage"]) {
			t.Errorf("MemUsage %q", row["MemUsage"])
		}
		if p := row["MemPerc"]; !regexp.MustCompile(`^(1[6-9]|[2-9][0-9])\.[0-9]{2}%$`).MatchString(p) {
			t.Errorf("MemPerc %q, want about 48 MiB of 256 MiB", p)
		}
	})

	t.Run("pids", func(t *testing.T) {
		// The shell leaves three sleeps behind, adopted by the init.
		d.OK(t, "exec", "s", "sh", "-c", "sleep 1000 & sleep 1000 & sleep 1000 &")
		if got := statsOf(t, d, "s").Pids.Current; got != 4 {
			t.Errorf("pids after forking three sleeps = %d, want 4", got)
		}
		if got := statsJSON(t, d, "s")["PIDs"]; got != "4" {
			t.Errorf("PIDs column %q, want 4", got)
		}
	})

	t.Run("network", func(t *testing.T) {
		gw := d.Inspect(t, "s").Gateway
		if gw == "" {
			t.Fatal("no gateway on the default bridge")
		}
		rx0, tx0 := rxtx(statsOf(t, d, "s").Networks)
		d.OK(t, "exec", "s", "ping", "-c", "3", "-W", "2", gw)
		after := statsOf(t, d, "s")
		if _, ok := after.Networks["eth0"]; !ok || len(after.Networks) != 1 {
			t.Errorf("networks %v, want eth0 alone (lo left out)", after.Networks)
		}
		// Three 84-byte ICMP echoes each way, plus their frame headers.
		if rx, tx := rxtx(after.Networks); rx < rx0+3*84 || tx < tx0+3*84 {
			t.Errorf("net I/O %d/%d after 3 pings, was %d/%d", rx, tx, rx0, tx0)
		}
		if got := statsJSON(t, d, "s")["NetIO"]; got == "0B / 0B" {
			t.Errorf("NetIO column %q after pings", got)
		}
		if nets := statsOf(t, d, "burn").Networks; len(nets) != 0 {
			t.Errorf("a --network none container has networks %v", nets)
		}
	})

	t.Run("cpu", func(t *testing.T) {
		// burn spins since it started; the daemon's kept readings make
		// even the first one-shot sample cover a window of it.
		time.Sleep(1200 * time.Millisecond)
		burn := statsOf(t, d, "burn")
		cpu := float64(burn.CPU.TotalUsage-burn.PreCPU.TotalUsage) / float64(burn.CPU.SystemUsage-burn.PreCPU.SystemUsage) *
			float64(burn.CPU.OnlineCPUs) * 100
		if cpu < 5 {
			t.Errorf("CPU %% of a busy loop = %.2f", cpu)
		}
		if w := burn.Read.Sub(burn.PreRead); w < 400*time.Millisecond || w > 3*time.Second {
			t.Errorf("CPU window %v, want the kept reading of about a second before", w)
		}
		if got := statsJSON(t, d, "burn")["CPUPerc"]; got == "0.00%" {
			t.Errorf("CPUPerc of a busy loop %q", got)
		}
	})

	t.Run("table", func(t *testing.T) {
		out := d.OK(t, "stats", "--no-stream")
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if len(lines) != 3 || !regexp.MustCompile(`^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$`).MatchString(lines[0]) {
			t.Fatalf("stats --no-stream:\n%s", out)
		}
		row := regexp.MustCompile(`^` + id[:12] + ` +s +[0-9.]+% +[0-9.]+MiB / 256MiB +[0-9.]+% +[0-9.]+k?B / [0-9.]+k?B +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +4$`)
		if !slicesContainMatch(lines[1:], row) {
			t.Errorf("no row of s matching %v in:\n%s", row, out)
		}
		all := d.OK(t, "stats", "-a", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}")
		if !strings.Contains(all, "idle 0.00% 0B / 0B 0\n") || strings.Count(all, "\n") != 3 {
			t.Errorf("stats -a shows the created container with zeros:\n%s", all)
		}
		full := d.OK(t, "container", "stats", "--no-stream", "--no-trunc", "--format", "{{.ID}} {{.Container}}", "s")
		if full != id+" s\n" {
			t.Errorf("--no-trunc {{.ID}} {{.Container}}: %q", full)
		}
		if r := d.Run(t, "stats", "--no-stream", "nosuch"); r.Code != 1 || !strings.Contains(r.Stderr, "no such container") {
			t.Errorf("stats nosuch: %s", r)
		}
	})

	t.Run("stream", func(t *testing.T) {
		cmd := d.Background(t, "stats", "--format", "{{.Name}} {{.PIDs}}", "s", "burn")
		testutil.WaitFor(t, 15*time.Second, "three refreshes", func() bool {
			return strings.Count(cmd.Stdout(), "s 4\n") >= 3
		})
		d.OK(t, "exec", "s", "sh", "-c", "sleep 1000 &")
		testutil.WaitFor(t, 15*time.Second, "the new process in a refresh", func() bool {
			return strings.Contains(cmd.Stdout(), "s 5\n")
		})
		cmd.Interrupt()
		cmd.Wait(10 * time.Second)
	})
}

func slicesContainMatch(lines []string, re *regexp.Regexp) bool {
	for _, l := range lines {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

// BenchmarkStatsNoStream20 times `stats --no-stream` (the CLI process
// included) over 20 running containers: issue 11's target is 100 ms.
func BenchmarkStatsNoStream20(b *testing.B) {
	d := daemon.New(b)
	img := d.Busybox(b)
	for i := range 20 {
		d.OK(b, "run", "-d", "--network", "none", "--name", "bench"+strconv.Itoa(i), img, "sleep", "1000")
	}
	time.Sleep(1500 * time.Millisecond) // past the first CPU readings
	b.Run("cli", func(b *testing.B) {
		for b.Loop() {
			out := d.OK(b, "stats", "--no-stream")
			if n := strings.Count(out, "\n"); n != 21 {
				b.Fatalf("stats --no-stream printed %d lines:\n%s", n, out)
			}
		}
	})
	// The same 20 samples through the API, without the CLI's process.
	b.Run("api", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					if _, err := d.Client.ContainerStats(context.Background(), "bench"+strconv.Itoa(i)); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
	})
	// For scale: the CLI's cheapest round trip to the daemon.
	b.Run("version", func(b *testing.B) {
		for b.Loop() {
			d.OK(b, "version")
		}
	})
}
