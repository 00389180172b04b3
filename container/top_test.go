package container

import (
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParsePS(t *testing.T) {
	out := "  PID USER     COMMAND\n    1 root     sleep 100\n   42 root     sh -c while true; do :; done\n   99 root     other\n"
	top, err := parsePS([]byte(out), []int{1, 42})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"1", "root", "sleep 100"}, {"42", "root", "sh -c while true; do :; done"}}
	if !reflect.DeepEqual(top.Titles, []string{"PID", "USER", "COMMAND"}) || !reflect.DeepEqual(top.Processes, want) {
		t.Fatalf("parsePS = %q %q, want rows %q", top.Titles, top.Processes, want)
	}
	if _, err := parsePS([]byte("USER COMMAND\nroot sh\n"), []int{1}); err == nil {
		t.Fatal("ps output without a PID column was accepted")
	}
}

func TestPSColumns(t *testing.T) {
	if got := cpuTime(90*time.Minute + 5*time.Second); got != "01:30:05" {
		t.Errorf("cpuTime = %q", got)
	}
	if got := cpuTime(49 * time.Hour); got != "2-01:00:00" {
		t.Errorf("cpuTime = %q", got)
	}
	for nr, want := range map[uint64]string{0: "?", 136<<8 | 3: "pts/3", 4<<8 | 1: "tty1", 4<<8 | 65: "ttyS1", 1<<8 | 3: "?"} {
		if got := ttyName(nr); got != want {
			t.Errorf("ttyName(%#x) = %q, want %q", nr, got, want)
		}
	}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for start, want := range map[time.Time]string{
		now.Add(-time.Hour):        "09:00",
		now.AddDate(0, -1, 0):      "Nov07",
		now.AddDate(-2, 0, 0):      "2024",
		now.Add(-11 * time.Minute): "09:49",
	} {
		if got := stime(start, now); got != want {
			t.Errorf("stime(%v) = %q, want %q", start, got, want)
		}
	}
	if got := cpuPercent(3*time.Second, 2*time.Second); got != 99 {
		t.Errorf("cpuPercent caps at 99, got %d", got)
	}
}

// TestProcTopReadsThisProcess reads the test's own process as top's
// default view does for a container's.
func TestProcTopReadsThisProcess(t *testing.T) {
	pid := os.Getpid()
	top, err := procTop([]int{pid, 1 << 30}) // the second pid does not exist
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(top.Titles, []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}) {
		t.Fatalf("titles %q", top.Titles)
	}
	if len(top.Processes) != 1 {
		t.Fatalf("rows %q, want only this process's", top.Processes)
	}
	row := top.Processes[0]
	if row[1] != strconv.Itoa(pid) || row[2] != strconv.Itoa(os.Getppid()) {
		t.Errorf("PID/PPID %q %q, want %d %d", row[1], row[2], pid, os.Getppid())
	}
	if !strings.Contains(row[7], os.Args[0]) {
		t.Errorf("CMD %q does not hold %q", row[7], os.Args[0])
	}
}
