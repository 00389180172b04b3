package security

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// This file runs file system and socket operations as a real
// unprivileged host user: a copy of the test binary, started with another
// uid and gid, performs them and prints what happened (TestPermissionProbe
// is its entry point). Changing the credentials of the test process itself
// is no option: setuid applies to every thread of a Go program.

// Nobody is the unprivileged host user the attacks run as (nobody:nogroup).
const nobody = 65534

// probeEnv tells a copy of the test binary that it is the probe.
const probeEnv = "CRT_PERMISSION_PROBE"

// Probe operations: each takes one path.
const (
	opStat    = "stat"    // lstat
	opList    = "list"    // read the directory
	opOpen    = "open"    // open for reading
	opExec    = "exec"    // execute; the program runs as `id -u` (a busybox applet)
	opConnect = "connect" // connect to a UNIX socket
)

// probe is one operation for the probe, and afterwards its result:
// "ok" (with the program's output for exec), "EACCES", or another error.
type probe struct {
	op, path string
	result   string
}

// TestPermissionProbe is the probe's entry point, not a test: it does
// nothing unless probeEnv is set (see runAs).
func TestPermissionProbe(t *testing.T) {
	if os.Getenv(probeEnv) != "1" {
		return
	}
	args := flagArgs()
	w := bufio.NewWriter(os.Stdout)
	for i := 0; i+1 < len(args); i += 2 {
		fmt.Fprintf(w, "%s\n", probeOnce(args[i], args[i+1]))
	}
	w.Flush()
	os.Exit(0)
}

// flagArgs returns the arguments after "--".
func flagArgs() []string {
	for i, a := range os.Args {
		if a == "--" {
			return os.Args[i+1:]
		}
	}
	return nil
}

// probeOnce performs one operation and describes its result on one line.
func probeOnce(op, path string) string {
	var err error
	out := ""
	switch op {
	case opStat:
		_, err = os.Lstat(path)
	case opList:
		_, err = os.ReadDir(path)
	case opOpen:
		var f *os.File
		if f, err = os.Open(path); err == nil {
			f.Close()
		}
	case opExec:
		cmd := exec.Command(path, "-u")
		cmd.Args[0] = "id" // busybox runs the applet its name says
		var b []byte
		b, err = cmd.Output()
		out = " " + strings.TrimSpace(string(b))
	case opConnect:
		var c net.Conn
		if c, err = net.DialTimeout("unix", path, 5*time.Second); err == nil {
			c.Close()
		}
	default:
		err = fmt.Errorf("unknown operation %q", op)
	}
	switch {
	case err == nil:
		return "ok" + out
	case errors.Is(err, syscall.EACCES):
		return "EACCES"
	default:
		return strings.ReplaceAll(err.Error(), "\n", " ")
	}
}

// runAs performs probes as uid:gid with the supplementary groups given
// (none when nil) and fills in their results.
func runAs(t testing.TB, uid, gid int, groups []uint32, probes []probe) {
	t.Helper()
	exe := probeBinary(t)
	args := []string{"-test.run=^TestPermissionProbe$", "--"}
	for _, p := range probes {
		args = append(args, p.op, p.path)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), probeEnv+"=1")
	cmd.Dir = "/"
	if groups == nil {
		groups = []uint32{}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups},
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the probe as %d:%d: %v\n%s", uid, gid, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(probes) {
		t.Fatalf("the probe printed %d lines for %d operations:\n%s", len(lines), len(probes), out)
	}
	for i := range probes {
		probes[i].result = lines[i]
	}
}

// probeBinary copies the test binary where any user may run it (the go
// tool builds it in a directory only we can search) and returns the copy.
func probeBinary(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "crt-probe-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "probe")
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// requireDenied fails the test for each probe that was not refused with
// EACCES, saying what the attacker could do.
func requireDenied(t testing.TB, who string, probes []probe) {
	t.Helper()
	for _, p := range probes {
		if p.result != "EACCES" {
			t.Errorf("%s: %s %s: %s; want EACCES (permission denied)", who, p.op, p.path, p.result)
		}
	}
}
