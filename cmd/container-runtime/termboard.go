package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// board keeps a few status rows (progress bars) at the bottom of a
// terminal, redrawn in place several times a second, while text written
// to it scrolls above them. It replaces a progress-bar library whose
// packages (and their init-time work: compiled regexps, Unicode width
// tables) every invocation of the client paid for.
//
// The rows are whatever render returns; they are cut to the terminal's
// width, so that none wraps and the cursor arithmetic stays right. The
// cursor rests at the start of the line below the rows.
type board struct {
	w      io.Writer
	render func() []string

	mu      sync.Mutex
	drawn   []string // the rows on the screen, above the cursor
	partial []byte   // text written without its newline yet
	stopped bool

	stop chan struct{}
	done chan struct{}
}

// boardTick is how often the rows are redrawn.
const boardTick = 150 * time.Millisecond

// newBoard starts redrawing render's rows on w.
func newBoard(w io.Writer, render func() []string) *board {
	b := &board{w: w, render: render, stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

// termWidth is w's width in columns when it is a terminal, else 80. It is
// asked at every redraw: the window may be resized while the rows show.
func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	return 80
}

func (b *board) loop() {
	defer close(b.done)
	t := time.NewTicker(boardTick)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			if !b.stopped {
				b.redraw(nil)
			}
			b.mu.Unlock()
		}
	}
}

// Write prints p's complete lines above the rows; a last line without
// its newline waits for the rest (or for close). After close, p goes
// straight to the terminal.
func (b *board) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		// Below the rows, which stay as they are.
		return b.w.Write(p)
	}
	b.partial = append(b.partial, p...)
	i := bytes.LastIndexByte(b.partial, '\n')
	if i < 0 {
		return len(p), nil
	}
	text := b.partial[:i+1]
	b.redraw(text)
	b.partial = append([]byte(nil), b.partial[i+1:]...)
	return len(p), nil
}

// close prints what is left of the text, draws the rows a last time and
// stops redrawing; the rows stay on the screen.
func (b *board) close() {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		return
	}
	var text []byte
	if len(b.partial) > 0 {
		text = append(b.partial, '\n')
		b.partial = nil
	}
	b.redraw(text)
	b.stopped = true
	b.mu.Unlock()
	close(b.stop)
	<-b.done
}

// redraw clears the rows, prints text (complete lines) where they were,
// and draws the rows again below it, in one write; nothing when neither
// text nor the rows changed.
// Preconditions: b.mu is held.
func (b *board) redraw(text []byte) {
	rows, width := b.render(), termWidth(b.w)
	for i, r := range rows {
		rows[i] = cut(r, width-1)
	}
	if len(text) == 0 && slices.Equal(rows, b.drawn) {
		return
	}
	var buf bytes.Buffer
	if len(b.drawn) > 0 {
		// Up to the first row, and erase from there to the screen's end.
		fmt.Fprintf(&buf, "\x1b[%dA\r\x1b[J", len(b.drawn))
	}
	buf.Write(text)
	for _, r := range rows {
		buf.WriteString(r + "\n")
	}
	b.drawn = rows
	b.w.Write(buf.Bytes())
}

// cut shortens s to n characters (runes: the rows are ASCII, file names
// and the ellipsis aside).
func cut(s string, n int) string {
	if n < 1 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// progressBar draws current of total in width characters:
// "[=========>--------]". A total of 0 or less draws an empty bar.
func progressBar(current, total int64, width int) string {
	inner := width - 2
	filled := 0
	if total > 0 {
		filled = int(min(current, total) * int64(inner) / total)
	}
	switch {
	case filled >= inner:
		return "[" + strings.Repeat("=", inner) + "]"
	case filled > 0:
		return "[" + strings.Repeat("=", filled-1) + ">" + strings.Repeat("-", inner-filled) + "]"
	}
	return "[" + strings.Repeat("-", inner) + "]"
}

// spinnerFrames turn once per second or so at boardTick.
var spinnerFrames = [...]string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// spinner is the frame for the time elapsed.
func spinner(elapsed time.Duration) string {
	return spinnerFrames[int(elapsed/boardTick)%len(spinnerFrames)]
}

// mmss prints d as minutes and seconds: 01:05.
func mmss(d time.Duration) string {
	s := int(d.Seconds())
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// padRight pads s with spaces to n characters.
func padRight(s string, n int) string {
	if k := len([]rune(s)); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}
