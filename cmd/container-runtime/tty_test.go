package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"testing"

	"github.com/creack/pty"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestRunTTY drives run -it from a real pseudo-terminal: the CLI puts it
// in raw mode (Ctrl-C travels as a byte), sends its size, forwards keys as
// they are typed, and detaches on ctrl-p,ctrl-q leaving the container
// running.
func TestRunTTY(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		testutil.Missing(t, "no pseudo-terminal: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 30, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, master) // drain what the CLI writes

	d := newFakeDaemon(t)
	var create api.ContainerCreate
	d.handle("POST /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		decode(t, r, &create)
		answerJSON(w, 201, api.ContainerCreated{ID: "c1"})
	})
	d.answer("POST /v1/containers/c1/start", 204, "")
	type seen struct {
		rows, cols uint16
		stdin      string
		closed     bool
	}
	got := make(chan seen, 1)
	d.handle("POST /v1/containers/c1/attach", func(w http.ResponseWriter, r *http.Request) {
		conn, rw := hijack(t, w)
		if conn == nil {
			return
		}
		defer conn.Close()
		writeFrame(rw, api.Stdout, "$ ")
		rw.Flush()
		var s seen
		var in bytes.Buffer
		for {
			st, p, err := api.ReadFrame(rw, nil)
			if err != nil {
				break // the CLI detached: it closed the connection
			}
			switch st {
			case api.Resize:
				s.rows, s.cols = binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:])
				// Raw mode is on before the size is sent: type now.
				master.Write([]byte("a\x03b\x10\x11ignored"))
			case api.Stdin:
				in.Write(p)
			case api.CloseStdin:
				s.closed = true
			}
		}
		s.stdin = in.String()
		got <- s
	})

	var errb bytes.Buffer
	code := run(context.Background(), []string{"run", "-it", "base", "sh"}, stdio{in: tty, out: tty, err: &errb},
		func(k string) string { return map[string]string{"CONTAINER_RUNTIME_HOST": d.host}[k] })
	if code != 0 {
		t.Errorf("exit code %d (stderr %q), want 0 after a detach", code, errb.String())
	}
	if !create.Tty || !create.OpenStdin {
		t.Errorf("create without tty/stdin: %+v", create)
	}
	s := <-got
	if s.rows != 30 || s.cols != 100 {
		t.Errorf("resize %dx%d, want 30x100", s.rows, s.cols)
	}
	if s.stdin != "a\x03b" {
		t.Errorf("stdin %q, want %q", s.stdin, "a\x03b")
	}
	if s.closed {
		t.Error("stdin was closed: a detach must leave the container's stdin open")
	}
	for _, c := range d.called() {
		if c == "POST /v1/containers/c1/kill" || c == "DELETE /v1/containers/c1" {
			t.Errorf("detach called %s", c)
		}
	}
}
