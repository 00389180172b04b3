package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// syncWriter is a bytes.Buffer safe for the board's redraw goroutine.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestBoard checks the board's output: text prints above the rows once
// complete, each redraw first moves up over the rows drawn before, close
// prints a partial last line and the final rows, and the rows are cut to
// the width.
func TestBoard(t *testing.T) {
	var w syncWriter
	var mu sync.Mutex
	row := "row one"
	b := newBoard(&w, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return []string{row, strings.Repeat("x", 200)}
	})
	b.Write([]byte("first line\nsecond "))
	b.Write([]byte("half\nno newline"))
	mu.Lock()
	row = "row two"
	mu.Unlock()
	b.close()
	b.close() // a second close does nothing
	out := w.String()
	cutRow := strings.Repeat("x", 79) + "\n"
	want := "first line\nrow one\n" + cutRow +
		"\x1b[2A\r\x1b[Jsecond half\nrow one\n" + cutRow +
		"\x1b[2A\r\x1b[Jno newline\nrow two\n" + cutRow
	// Redraws by the ticker may come between, each starting by moving up.
	if !strings.HasPrefix(out, "first line\nrow one\n"+cutRow) || !strings.HasSuffix(out, "\x1b[2A\r\x1b[Jno newline\nrow two\n"+cutRow) ||
		!strings.Contains(out, "second half\n") {
		t.Errorf("board output:\n%q\nwant like:\n%q", out, want)
	}
	n := len(w.String())
	b.Write([]byte("after close\n"))
	if strings.Contains(w.String()[n:], "row") {
		t.Errorf("rows redrawn after close: %q", w.String()[n:])
	}
}

// TestProgressBar checks the bar's drawing at its ends and midway.
func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		current, total int64
		want           string
	}{
		{0, 0, "[--------]"},
		{0, 100, "[--------]"},
		{50, 100, "[===>----]"},
		{100, 100, "[========]"},
		{200, 100, "[========]"},
		{1, -1, "[--------]"},
	} {
		if got := progressBar(tc.current, tc.total, 10); got != tc.want {
			t.Errorf("progressBar(%d, %d, 10) = %q, want %q", tc.current, tc.total, got, tc.want)
		}
	}
}
