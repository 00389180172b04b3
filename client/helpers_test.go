package client

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// serve runs h on a UNIX socket and returns a client of it.
func serve(t testing.TB, h http.Handler) *Client {
	t.Helper()
	// Socket paths are limited to 108 bytes: t.TempDir can be longer.
	dir, err := os.MkdirTemp("", "crt-client")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(Options{Host: "unix://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// hijack answers 101 and returns the raw connection.
func hijack(t testing.TB, w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	t.Helper()
	header := w.Header().Clone() // the 101 carries the headers set on w
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	rw.WriteString("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n")
	header.Write(rw)
	rw.WriteString("\r\n")
	rw.Flush()
	return conn, rw
}
