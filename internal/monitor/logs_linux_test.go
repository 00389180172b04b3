package monitor

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

func TestRotation(t *testing.T) {
	cfg := testConfig(t)
	cfg.LogMaxSize = 300
	cfg.LogMaxFiles = 3
	m := startMonitor(t, cfg)
	runInit(t, m, `i=1; while [ $i -le 100 ]; do echo "line $i"; i=$((i+1)); done`)
	waitExit(t, m, cfg.Dir)
	for i, want := range []bool{true, true, true, false} {
		p := cfg.LogPath
		if i > 0 {
			p += "." + strconv.Itoa(i)
		}
		fi, err := os.Stat(p)
		if (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", p, err == nil, want)
		}
		// One entry is never split, so a file may pass the limit by one.
		if err == nil && fi.Size() > cfg.LogMaxSize+64 {
			t.Errorf("%s has %d bytes, limit %d", p, fi.Size(), cfg.LogMaxSize)
		}
	}
	tests := []struct {
		tail  int
		first int // number of the first line returned
	}{
		{tail: 1, first: 100},
		{tail: 5, first: 96},
		{tail: 12, first: 89}, // across files: about 7 entries fit in one
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("tail %d", tt.tail), func(t *testing.T) {
			got := readLogs(t, cfg.LogPath, LogOptions{Tail: tt.tail})
			if len(got) != tt.tail {
				t.Fatalf("%d entries, want %d", len(got), tt.tail)
			}
			for i, e := range got {
				if want := fmt.Sprintf("line %d", tt.first+i); string(e.Line) != want {
					t.Errorf("entry %d = %q, want %q", i, e.Line, want)
				}
			}
		})
	}
	// All: the kept files hold a contiguous run ending at line 100.
	all := readLogs(t, cfg.LogPath, LogOptions{Tail: -1})
	if len(all) < 13 || string(all[len(all)-1].Line) != "line 100" {
		t.Fatalf("all entries: %d ending with %q", len(all), all[len(all)-1].Line)
	}
	first, _ := strconv.Atoi(string(all[0].Line[len("line "):]))
	for i, e := range all {
		if want := fmt.Sprintf("line %d", first+i); string(e.Line) != want {
			t.Fatalf("entry %d = %q, want %q", i, e.Line, want)
		}
	}
	if since := readLogs(t, cfg.LogPath, LogOptions{Tail: -1, Since: all[len(all)-3].Time}); len(since) < 3 {
		t.Errorf("Since the third last entry: %d entries", len(since))
	}
	if none := readLogs(t, cfg.LogPath, LogOptions{Tail: -1, Since: time.Now().Add(time.Hour)}); len(none) != 0 {
		t.Errorf("Since the future: %d entries", len(none))
	}
}

// TestFollow follows a log across rotations until the container exits.
func TestFollow(t *testing.T) {
	cfg := testConfig(t)
	cfg.Stdin = true
	cfg.LogMaxSize = 150 // a rotation every few lines
	m := startMonitor(t, cfg)
	a := attach(t, cfg.Dir)
	runInit(t, m, "exec cat")

	entries := make(chan LogEntry, 100)
	done := make(chan error, 1)
	go func() {
		done <- ReadLogs(testContext(t), cfg.LogPath, LogOptions{Tail: -1, Follow: true, ExitDir: cfg.Dir},
			func(e LogEntry) error { entries <- e; return nil })
	}()
	for i := range 12 {
		want := fmt.Sprintf("line %d", i)
		if err := a.WriteStdin([]byte(want + "\n")); err != nil {
			t.Fatal(err)
		}
		select {
		case e := <-entries:
			if string(e.Line) != want || e.Stream != api.Stdout || e.Partial {
				t.Fatalf("followed entry %+v, want stdout line %q", e, want)
			}
		case err := <-done:
			t.Fatalf("ReadLogs returned %v before the exit", err)
		case <-time.After(testTimeout):
			t.Fatalf("no entry %q", want)
		}
	}
	if err := a.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ReadLogs after the exit: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("following did not stop after the exit")
	}
	if len(entries) != 0 {
		t.Errorf("%d extra entries", len(entries))
	}
}

func TestFollowCancel(t *testing.T) {
	p := t.TempDir() + "/container.log"
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	err := ReadLogs(ctx, p, LogOptions{Tail: -1, Follow: true}, func(LogEntry) error { return nil })
	if err != context.Canceled {
		t.Fatalf("ReadLogs with a canceled context: %v", err)
	}
}

func TestParseEntry(t *testing.T) {
	ts := "2024-05-01T10:00:00.123456789Z"
	tests := []struct {
		line    string
		ok      bool
		stream  byte
		content string
		partial bool
	}{
		{line: ts + " stdout F hello world\n", ok: true, stream: api.Stdout, content: "hello world"},
		{line: ts + " stderr P part", ok: true, stream: api.Stderr, content: "part", partial: true},
		{line: ts + " stdout F \n", ok: true, stream: api.Stdout, content: ""},
		{line: ts + " stdout F  two  spaces \n", ok: true, stream: api.Stdout, content: " two  spaces "},
		{line: ts + " stdin F x\n"},
		{line: ts + " stdout X x\n"},
		{line: "yesterday stdout F x\n"},
		{line: ts + " stdout\n"},
		{line: "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			e, ok := parseEntry([]byte(tt.line))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if e.Stream != tt.stream || string(e.Line) != tt.content || e.Partial != tt.partial || e.Time.Nanosecond() != 123456789 {
				t.Errorf("entry %+v, want stream %d %q partial %v", e, tt.stream, tt.content, tt.partial)
			}
		})
	}
}

// TestIdlePartialLine: an unfinished line (a prompt) reaches the log as
// a partial entry after a second of silence, not only at the next newline.
func TestIdlePartialLine(t *testing.T) {
	cfg := testConfig(t)
	cfg.Stdin = true
	m := startMonitor(t, cfg)
	a := attach(t, cfg.Dir)
	runInit(t, m, `printf 'name? '; read x; echo "hello $x"`)
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	var got []LogEntry
	err := ReadLogs(ctx, cfg.LogPath, LogOptions{Tail: -1, Follow: true, ExitDir: cfg.Dir}, func(e LogEntry) error {
		got = append(got, e)
		if len(got) == 1 {
			// The prompt is logged while the shell still waits.
			return a.WriteStdin([]byte("bob\n"))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadLogs: %v", err)
	}
	if len(got) != 2 || string(got[0].Line) != "name? " || !got[0].Partial ||
		string(got[1].Line) != "hello bob" || got[1].Partial {
		t.Errorf("entries %+v, want the partial prompt then the full line", got)
	}
}

// TestFollowStop ends a follow by Stop (the container was removed: no
// exit.json, the log unlinked) only after what the open file holds is
// read.
func TestFollowStop(t *testing.T) {
	p := t.TempDir() + "/container.log"
	line := func(i int) string { return fmt.Sprintf("2024-05-01T10:00:0%d.000000000Z stdout F line %d\n", i, i) }
	if err := os.WriteFile(p, []byte(line(1)+line(2)), 0o600); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- ReadLogs(testContext(t), p, LogOptions{Tail: -1, Follow: true, Stop: stop}, func(e LogEntry) error {
			got <- string(e.Line)
			return nil
		})
	}()
	for i := 1; i <= 2; i++ {
		if l := <-got; l != "line "+strconv.Itoa(i) {
			t.Fatalf("entry %d: %q", i, l)
		}
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(line(3) + line(4))
	f.Close()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("ReadLogs after Stop: %v", err)
	}
	close(got)
	var rest []string
	for l := range got {
		rest = append(rest, l)
	}
	if len(rest) != 2 || rest[0] != "line 3" || rest[1] != "line 4" {
		t.Errorf("entries read after Stop: %q, want lines 3 and 4", rest)
	}
}
