package healthexec

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// procName is the executor's argv[0]; its argv[1] is the name Start got.
const procName = "container-runtime-healthexec"

// replyGrace is how long past a check's timeout its result may take
// (the output's drain, the kill and reaping) before the executor is
// taken for stuck.
const replyGrace = 10 * time.Second

// Template is what every check of one container run needs: see
// runtime.ExecTemplate, whose fields these are.
type Template struct {
	Exe         *os.File
	Args, Env   []string
	CgroupProcs []*os.File
	Sync        []byte
}

// Executor is the daemon's handle of a running executor. One check at a
// time: Run is not called concurrently.
type Executor struct {
	conn *net.UnixConn
	cmd  *exec.Cmd
}

// Start starts an executor for t; name (the container) shows in its
// argv. The executor is the caller's child until Close.
func Start(ctx context.Context, name string, t Template) (*Executor, error) {
	tpl, err := templateFile(t)
	if err != nil {
		return nil, err
	}
	defer tpl.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("starting a health executor: socketpair: %w", err)
	}
	ours := os.NewFile(uintptr(fds[0]), "healthexec-control")
	theirs := os.NewFile(uintptr(fds[1]), "healthexec-control-child")
	defer theirs.Close()
	fc, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		return nil, fmt.Errorf("starting a health executor: control socket: %w", err)
	}
	x := &Executor{conn: fc.(*net.UnixConn)}
	// fd 3 the socket, 4 the binary, 5 the template, 6.. the cgroups.
	files := append([]*os.File{theirs, t.Exe, tpl}, t.CgroupProcs...)
	// The child resolves Path after the files are moved onto 3, 4, ...:
	// a copy of the binary's descriptor above all of them stays valid
	// (see startStage in package runtime).
	high, err := unix.FcntlInt(t.Exe.Fd(), unix.F_DUPFD_CLOEXEC, 2*(3+len(files))+2)
	if err != nil {
		x.conn.Close()
		return nil, fmt.Errorf("starting a health executor: duplicating the binary's descriptor: %w", err)
	}
	defer unix.Close(high)
	x.cmd = &exec.Cmd{
		Path:       "/proc/self/fd/" + strconv.Itoa(high),
		Args:       []string{procName, name},
		Env:        []string{envExecutor + "=" + strconv.Itoa(len(t.CgroupProcs))},
		ExtraFiles: files,
	}
	if err := x.cmd.Start(); err != nil {
		x.conn.Close()
		return nil, fmt.Errorf("starting a health executor for %s: %w", name, err)
	}
	theirs.Close()
	stop := context.AfterFunc(ctx, func() { x.conn.SetReadDeadline(time.Unix(1, 0)) })
	reply, err := x.read()
	stop()
	if err == nil && string(reply) != "ready" {
		_, err = ParseReply(reply)
		if err == nil {
			err = fmt.Errorf("unexpected reply %.32q", reply)
		}
	}
	if err != nil {
		x.Close()
		return nil, fmt.Errorf("starting a health executor for %s: %w", name, err)
	}
	return x, nil
}

// templateFile writes the template as the executor reads it
// (healthexec.c): argv[0], the environment, an empty string, the sync
// bytes; into a memfd it maps.
func templateFile(t Template) (*os.File, error) {
	if len(t.Args) == 0 || len(t.Sync) == 0 {
		return nil, errors.New("starting a health executor: the template has no argv or no sync bytes")
	}
	var b []byte
	for _, s := range append([]string{t.Args[0]}, t.Env...) {
		if s == "" {
			return nil, errors.New("starting a health executor: an empty string in the template's argv or environment")
		}
		b = append(append(b, s...), 0)
	}
	b = append(append(b, 0), t.Sync...)
	fd, err := unix.MemfdCreate("healthexec-template", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("starting a health executor: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "healthexec-template")
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting a health executor: writing the template: %w", err)
	}
	return f, nil
}

// Run runs one check with timeout and returns its result; a check that
// could not start is a *CheckError. Any other error means the executor
// is unusable: Close it. When ctx ends, the executor is closed (a check
// in flight is killed) and ctx's error returned.
func (x *Executor) Run(ctx context.Context, timeout time.Duration) (Result, error) {
	ms := (timeout + time.Millisecond - 1) / time.Millisecond
	if ms < 1 {
		ms = 1
	}
	if _, err := x.conn.Write([]byte("run " + strconv.FormatInt(int64(ms), 10))); err != nil {
		return Result{}, fmt.Errorf("health executor: sending run: %w", err)
	}
	x.conn.SetReadDeadline(time.Now().Add(timeout + replyGrace))
	stop := context.AfterFunc(ctx, func() { x.conn.SetReadDeadline(time.Unix(1, 0)) })
	reply, err := x.read()
	stop()
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	if err != nil {
		return Result{}, fmt.Errorf("health executor: waiting for the result: %w", err)
	}
	return ParseReply(reply)
}

// read reads one packet.
func (x *Executor) read() ([]byte, error) {
	// A result is its header (under 64 bytes) and MaxOutput bytes; a
	// longer packet is cut, which ParseReply refuses.
	buf := make([]byte, MaxOutput+256)
	n, err := x.conn.Read(buf)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("the executor exited")
	}
	return buf[:n], nil
}

// Close closes the control socket, on which the executor kills a check in
// flight, reaps it and exits, and waits for that exit: afterwards nothing
// of the executor's is in the container.
func (x *Executor) Close() error {
	x.conn.Close()
	if x.cmd == nil || x.cmd.Process == nil {
		return nil
	}
	if err := x.cmd.Wait(); err != nil {
		return fmt.Errorf("health executor: %w", err)
	}
	return nil
}
