package main

import (
	"net/http"
	"os"
	"syscall"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// TestSigProxy: a SIGINT the CLI receives during a foreground run without
// a terminal becomes a kill of the container, and the CLI exits with the
// container's code instead of dying.
func TestSigProxy(t *testing.T) {
	d := newFakeDaemon(t)
	killed := make(chan struct{})
	d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
	d.handle("POST /v1/containers/c1/start", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(204)
		// The CLI proxies signals from before the start on.
		syscall.Kill(os.Getpid(), syscall.SIGINT)
	})
	d.handle("POST /v1/containers/c1/kill", func(w http.ResponseWriter, r *http.Request) {
		if sig := r.URL.Query().Get("signal"); sig != "SIGINT" {
			t.Errorf("signal %q, want SIGINT", sig)
		}
		w.WriteHeader(204)
		close(killed)
	})
	d.handle("POST /v1/containers/c1/attach", attachScript{started: killed, exit: code(130)}.serve(t))
	r := d.run("", "run", "base", "sleep", "100")
	if r.code != 130 {
		t.Errorf("got %+v, want exit code 130", r)
	}
}

// TestSigProxyAttachStart: with a daemon that starts the container in
// the attach (start=1), signals are proxied from before that request on.
func TestSigProxyAttachStart(t *testing.T) {
	d := newFakeDaemon(t)
	killed := make(chan struct{})
	d.answer("POST /v1/containers", 201, `{"id":"c1"}`)
	d.handle("POST /v1/containers/c1/kill", func(w http.ResponseWriter, r *http.Request) {
		if sig := r.URL.Query().Get("signal"); sig != "SIGINT" {
			t.Errorf("signal %q, want SIGINT", sig)
		}
		w.WriteHeader(204)
		close(killed)
	})
	d.handle("POST /v1/containers/c1/attach", func(w http.ResponseWriter, r *http.Request) {
		// The start, before the 101.
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		<-killed
		w.Header().Set(api.StartedHeader, "1")
		conn, rw := hijack(t, w)
		if conn == nil {
			return
		}
		defer conn.Close()
		writeExit(rw, 130)
		rw.Flush()
	})
	r := d.run("", "run", "base", "sleep", "100")
	if r.code != 130 {
		t.Errorf("got %+v, want exit code 130", r)
	}
}
