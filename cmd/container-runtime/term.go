package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// rawTerminal puts the terminal fd in raw mode (no echo, no line editing,
// no signals from Ctrl-C: every key goes to the container) and returns
// the function that restores it.
func rawTerminal(fd int) (restore func(), err error) {
	st, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	return func() { term.Restore(fd, st) }, nil
}

// terminalSize returns the rows and columns of the terminal fd.
func terminalSize(fd int) (rows, cols uint16, ok bool) {
	w, h, err := term.GetSize(fd)
	if err != nil || w <= 0 || h <= 0 {
		return 0, 0, false
	}
	return uint16(h), uint16(w), true
}

// consoleSize is the size of our terminal (stdout) as [rows, cols] for
// a create or exec request with a tty, so that the process starts with
// it; zero when stdout is not a terminal.
func (c *cli) consoleSize() [2]uint16 {
	if fd, ok := terminal(c.out); ok {
		if rows, cols, ok := terminalSize(fd); ok {
			return [2]uint16{rows, cols}
		}
	}
	return [2]uint16{}
}

// watchResize calls resize with the size of the terminal fd now and
// whenever it changes (SIGWINCH), until the returned stop is called.
func watchResize(fd int, resize func(rows, cols uint16)) (stop func()) {
	if rows, cols, ok := terminalSize(fd); ok {
		resize(rows, cols)
	}
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, syscall.SIGWINCH)
	go func() {
		for {
			select {
			case <-ch:
				if rows, cols, ok := terminalSize(fd); ok {
					resize(rows, cols)
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
