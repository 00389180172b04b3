package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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

// TestSigProxyBeforeCreate: a signal caught while the create request runs
// (the proxy starts before it, to overlap it) has no container to go to:
// the CLI dies by it, as it would have uncaught. Run in a child process,
// which the signal ends.
func TestSigProxyBeforeCreate(t *testing.T) {
	if host := os.Getenv("CRT_SIGPROXY_CHILD"); host != "" {
		r := runCLI(t, map[string]string{"CONTAINER_RUNTIME_HOST": host}, "", "run", "base", "sleep", "100")
		t.Fatalf("the CLI survived the signal: %+v", r)
	}
	d := newFakeDaemon(t)
	var child atomic.Int64
	gone := make(chan struct{})
	d.handle("POST /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		syscall.Kill(int(child.Load()), syscall.SIGINT)
		select {
		case <-gone:
		case <-time.After(10 * time.Second):
		}
		answerJSON(w, 201, map[string]string{"id": "c1"})
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestSigProxyBeforeCreate$")
	cmd.Env = append(os.Environ(), "CRT_SIGPROXY_CHILD="+d.host)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child.Store(int64(cmd.Process.Pid))
	cmd.Wait()
	close(gone)
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("the CLI ended with %v, want killed by SIGINT:\n%s", cmd.ProcessState, out.String())
	}
	if calls := d.called(); contains(calls, "POST /v1/containers/c1/kill") {
		t.Errorf("a kill was sent for a container the CLI did not know yet: %q", calls)
	}
}
