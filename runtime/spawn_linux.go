package runtime

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/capabilities"
	"github.com/container-runtime/container-runtime/internal/nsenter"
)

// Environment variables read by the Go stage (init_linux.go).
const (
	envFifoFD    = "_CRT_FIFOFD"
	envConsoleFD = "_CRT_CONSOLEFD"
	envPreserve  = "_CRT_PRESERVE"
	envReportFD  = "_CRT_REPORTFD"
	// envSeccompFD is the sealed memfd of the compiled seccomp program
	// (filterProgram); unset when the process has no filter.
	envSeccompFD = "_CRT_SECCOMPFD"
)

const (
	stageInit = "init"
	stageExec = "exec"
)

// spawnRequest describes one container process to start.
type spawnRequest struct {
	stage string
	plan  nsPlan
	// dir is the working directory of the init stage: relative bind
	// mount sources resolve from the bundle, as with runc.
	dir    string
	uidMap []specs.LinuxIDMapping
	gidMap []specs.LinuxIDMapping
	// fifo is the exec fifo (create) and console the console socket; both
	// optional.
	fifo, console *os.File
	// report receives the startup commands' results (create only).
	report   *os.File
	launcher Launcher
	stdio    Stdio
	// extra are the caller's descriptors for the process, at 3, 4, ...
	extra []*os.File
	// cgroupProcs are the cgroup files the stage writes itself into
	// before it reads "go", so before it may unshare a cgroup namespace
	// (see cgroupJoin), and cgroupDir, if set, the cgroup v2 directory it
	// is born in (clone3 with CLONE_INTO_CGROUP).
	cgroupProcs []*os.File
	cgroupDir   *os.File
	config      initConfig
	// initBounding, with config.Init, is the bounding set the minimal
	// init keeps: the container process's (boundingMask).
	initBounding uint64
	// configMsg, when set (exec), is the process plan with its length,
	// sent right after "go" in the same write instead of config after
	// "pid" (see sync.go): it does not depend on the PID, and the stage
	// reads only up to the end of the "go" line, so it waits in the
	// socket for the exec's clone. That saves the caller a round trip per
	// exec.
	configMsg []byte
	// seccomp is the process's compiled filter, or nil.
	seccomp *filterProgram
	// clock, for a create, gets the time the stage is started and the
	// stage's timestamps.
	clock *phaseClock
}

// spawned is a container process that reported its PID.
type spawned struct {
	pid  int
	conn *syncConn
	sock *os.File
	// stage, for an exec, is the namespace stage, reaped by close: it
	// exits right after reporting the PID, but waiting for that in spawn
	// blocked a thread while it joined the namespaces and cloned, which
	// kept the Go scheduler's monitor polling. Once the target is
	// executed (EOF on sock) it has long exited.
	stage *stageProcess
	// pidPipe, for an exec, is where the stage writes the PID (see
	// nsenter.EnvPidPipe), read once the socket tells the outcome.
	pidPipe *os.File
}

// close closes the sync socket and reaps the stage if it is still ours.
func (s *spawned) close() {
	s.sock.Close()
	if s.pidPipe != nil {
		s.pidPipe.Close()
	}
	if s.stage != nil {
		s.stage.wait()
	}
}

// executed waits until the target of an exec is executed (EOF on the
// sync socket, which is close-on-exec) and sets s.pid. On failure the
// target, if it was made, is killed and reaped.
func (s *spawned) executed() error {
	m, err := s.conn.recv()
	// The outcome is in, so the stage has written the PID or exited.
	pid, perr := readPid(s.pidPipe)
	if err == io.EOF && perr == nil {
		s.pid = pid
		return nil
	}
	if perr == nil {
		killAndReap(pid)
	}
	switch {
	case err == nil && m.Type == msgError:
		return &processError{msg: m.Message}
	case err == io.EOF:
		return fmt.Errorf("namespace stage exited early: %w", perr)
	default:
		return fmt.Errorf("protocol: %v %q", err, m.Type)
	}
}

// readPid reads the PID the stage wrote to the pipe.
func readPid(f *os.File) (int, error) {
	var b [24]byte
	n, err := io.ReadFull(f, b[:])
	if n == 0 {
		return 0, fmt.Errorf("no PID from the namespace stage: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(string(b[:n]), "\n"))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("bad PID %q from the namespace stage", b[:n])
	}
	return pid, nil
}

// spawn starts the sealed binary in the C stage, follows the protocol of
// sync.go up to the PID, and hands the Go stage its config.
func (r *Runtime) spawn(ctx context.Context, req spawnRequest) (*spawned, error) {
	exe, err := r.exe.get()
	if err != nil {
		return nil, err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socketpair for the container's sync channel: %w", err)
	}
	// Our end is non-blocking, so that waiting for the stage parks the
	// goroutine in Go's poller rather than blocking a thread (which the
	// scheduler then replaces). The stage's end stays blocking.
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, fmt.Errorf("making the sync channel non-blocking: %w", err)
	}
	parent := os.NewFile(uintptr(fds[0]), "sync-parent")
	child := os.NewFile(uintptr(fds[1]), "sync-child")
	defer child.Close()

	// The caller's extra descriptors come first, at 3, 4, ...; ours
	// follow and are closed before the target runs.
	files := append(append([]*os.File{}, req.extra...), child)
	cmd := &exec.Cmd{
		Path:       "/proc/self/fd/" + strconv.Itoa(int(exe.Fd())),
		Args:       []string{"container-runtime-" + req.stage},
		Env:        stageEnviron(req.stage, 2+len(files), req.plan, len(req.extra)),
		ExtraFiles: files,
		Dir:        req.dir,
	}
	if req.cgroupDir != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(req.cgroupDir.Fd())}
	}
	// A nil *os.File in an io.Reader is not a nil Reader: assign only the
	// files we have, so exec.Cmd gives /dev/null for the others.
	if req.stdio.Stdin != nil {
		cmd.Stdin = req.stdio.Stdin
	}
	if req.stdio.Stdout != nil {
		cmd.Stdout = req.stdio.Stdout
	}
	if req.stdio.Stderr != nil {
		cmd.Stderr = req.stdio.Stderr
	}
	if req.config.Init {
		// The init confines itself with the container process's bounding
		// set and its seccomp filter (the memfd below): PID 1 must never
		// be a way around the container's own limits (ptrace of an
		// unfiltered, dumpable PID 1 ran any system call the profile
		// refused).
		cmd.Env = append(cmd.Env, nsenter.EnvInit+"=1", nsenter.EnvInitBounding+"="+strconv.FormatUint(req.initBounding, 16))
	}
	if req.seccomp != nil {
		cmd.Env = append(cmd.Env, envSeccompFD+"="+strconv.Itoa(3+len(cmd.ExtraFiles)))
		cmd.ExtraFiles = append(cmd.ExtraFiles, req.seccomp.file)
	}
	if req.fifo != nil {
		cmd.Env = append(cmd.Env, envFifoFD+"="+strconv.Itoa(3+len(cmd.ExtraFiles)))
		cmd.ExtraFiles = append(cmd.ExtraFiles, req.fifo)
	}
	if req.console != nil {
		cmd.Env = append(cmd.Env, envConsoleFD+"="+strconv.Itoa(3+len(cmd.ExtraFiles)))
		cmd.ExtraFiles = append(cmd.ExtraFiles, req.console)
	}
	if req.report != nil {
		cmd.Env = append(cmd.Env, envReportFD+"="+strconv.Itoa(3+len(cmd.ExtraFiles)))
		cmd.ExtraFiles = append(cmd.ExtraFiles, req.report)
	}
	if len(req.cgroupProcs) > 0 {
		fds := make([]string, len(req.cgroupProcs))
		for i, f := range req.cgroupProcs {
			fds[i] = strconv.Itoa(3 + len(cmd.ExtraFiles))
			cmd.ExtraFiles = append(cmd.ExtraFiles, f)
		}
		cmd.Env = append(cmd.Env, nsenter.EnvCgroupFDs+"="+strings.Join(fds, ","))
	}
	var pidRead, pidWrite *os.File
	if req.configMsg != nil {
		// Blocking and outside Go's poller: it is read once there is
		// something to read or the stage is gone.
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			parent.Close()
			return nil, fmt.Errorf("making the PID pipe: %w", err)
		}
		pidRead, pidWrite = os.NewFile(uintptr(p[0]), "pid-pipe"), os.NewFile(uintptr(p[1]), "pid-pipe")
		defer pidWrite.Close()
		cmd.Env = append(cmd.Env, nsenter.EnvPidPipe+"="+strconv.Itoa(3+len(cmd.ExtraFiles)))
		cmd.ExtraFiles = append(cmd.ExtraFiles, pidWrite)
	}
	if req.clock != nil {
		req.clock.prepared = time.Now()
	}
	stage, err := startStage(cmd, exe, req.launcher, req.cgroupDir)
	if err != nil {
		parent.Close()
		if pidRead != nil {
			pidRead.Close()
		}
		if req.cgroupDir != nil {
			err = &bornError{err}
		}
		return nil, fmt.Errorf("starting the container process: %w", err)
	}
	child.Close()
	s := &spawned{conn: newSyncConn(parent), sock: parent}
	if req.configMsg != nil {
		// An exec: with no cgroup to apply first, "go" needs no wait;
		// the PID comes on the pipe and the caller waits (executed).
		pidWrite.Close()
		s.stage, s.pidPipe = stage, pidRead
		if _, err := parent.Write(append([]byte(`{"type":"`+msgGo+`"}`+"\n"), req.configMsg...)); err != nil {
			stage.kill()
			s.close()
			return nil, fmt.Errorf("sending %q and %q: %w", msgGo, msgConfig, err)
		}
		return s, nil
	}
	pid, times, err := r.stageToPid(req, stage, s.conn)
	if req.clock != nil {
		req.clock.stage = times
	}
	// The stage exits right after reporting the PID (or failing).
	if werr := stage.wait(); err == nil && werr != nil {
		err = fmt.Errorf("namespace stage: %w", werr)
	}
	if err != nil {
		if pid > 0 {
			killAndReap(pid)
		}
		parent.Close()
		return nil, err
	}
	s.pid = pid
	cfg := req.config
	if err := s.conn.sendConfig(cfg); err != nil {
		killAndReap(pid)
		parent.Close()
		return nil, err
	}
	return s, nil
}

// stageToPid runs the parent's half of the C stage's protocol.
func (r *Runtime) stageToPid(req spawnRequest, st *stageProcess, conn *syncConn) (int, []int64, error) {
	if req.configMsg == nil {
		if err := conn.send(syncMsg{Type: msgGo}); err != nil {
			st.kill()
			return 0, nil, err
		}
	}
	for {
		m, err := conn.recv()
		if err != nil {
			st.kill()
			return 0, nil, fmt.Errorf("namespace stage exited early: %w", err)
		}
		switch m.Type {
		case msgUsermap:
			if err := writeIDMaps(st.pid, req.uidMap, req.gidMap); err != nil {
				st.kill()
				return 0, nil, err
			}
			if err := conn.send(syncMsg{Type: msgUsermapAck}); err != nil {
				st.kill()
				return 0, nil, err
			}
		case msgPid:
			return m.Pid, m.Times, nil
		case msgError:
			return 0, nil, &processError{msg: m.Message}
		default:
			st.kill()
			return 0, nil, fmt.Errorf("protocol: unexpected %q from the namespace stage", m.Type)
		}
	}
}

// stageEnviron is the environment of a namespace stage: its stage, the
// descriptor of its sync socket, its namespace plan and how many of the
// caller's descriptors (at 3, 4, ...) the process keeps.
func stageEnviron(stage string, syncFD int, plan nsPlan, preserve int) []string {
	return []string{
		nsenter.EnvStage + "=" + stage,
		nsenter.EnvSyncFD + "=" + strconv.Itoa(syncFD),
		nsenter.EnvClone + "=" + strconv.Itoa(plan.clone),
		nsenter.EnvJoin + "=" + strings.Join(plan.join, "\n"),
		envPreserve + "=" + strconv.Itoa(preserve),
		// The stage loads the container's seccomp filter on every
		// thread (TSYNC) and may start threads after it; glibc aborts a
		// new thread whose rseq registration fails ("Fatal glibc error:
		// rseq registration failed"), and a profile older than rseq
		// (runtime-tools', Docker's before 20.10) refuses it with EPERM.
		// The stage does without rseq; the container's program gets
		// only its own environment.
		glibcNoRseq,
	}
}

// killAndReap kills a process that is our child and waits for it.
func killAndReap(pid int) {
	unix.Kill(pid, unix.SIGKILL)
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err != unix.EINTR {
			return
		}
	}
}

// stageProcess is the namespace stage: our child (exec.Cmd), or the
// launcher's.
type stageProcess struct {
	pid int
	cmd *exec.Cmd
}

func startStage(cmd *exec.Cmd, exe *os.File, l Launcher, cgroupDir *os.File) (*stageProcess, error) {
	if l == nil {
		// The child resolves cmd.Path only after exec.Cmd has moved the
		// extra files onto 3, 4, ... (moving first, to just above them,
		// any it would stomp on): an exe descriptor in that range names
		// another file by then, and execve fails with EACCES or runs the
		// wrong file. That happens when exe got a low number (3 in an
		// `exec` with nothing else open). A duplicate above all the
		// numbers the move can use is safe.
		high, err := unix.FcntlInt(exe.Fd(), unix.F_DUPFD_CLOEXEC, 2*(3+len(cmd.ExtraFiles))+2)
		if err != nil {
			return nil, fmt.Errorf("duplicating the descriptor of our sealed binary: %w", err)
		}
		defer unix.Close(high)
		cmd.Path = "/proc/self/fd/" + strconv.Itoa(high)
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		return &stageProcess{pid: cmd.Process.Pid, cmd: cmd}, nil
	}
	// The launcher supplies stdio; it gets exactly our extra files.
	var pid int
	var err error
	if cl, ok := l.(CgroupLauncher); ok && cgroupDir != nil {
		pid, err = cl.LaunchInCgroup(exe, cgroupDir, cmd.Args, cmd.Env, cmd.ExtraFiles, cmd.Dir)
	} else {
		pid, err = l.Launch(exe, cmd.Args, cmd.Env, cmd.ExtraFiles, cmd.Dir)
	}
	if err != nil {
		return nil, err
	}
	return &stageProcess{pid: pid}, nil
}

func (s *stageProcess) kill() { unix.Kill(s.pid, unix.SIGKILL) }

// wait reaps our own stage; a launcher reaps its own.
func (s *stageProcess) wait() error {
	if s.cmd == nil {
		return nil
	}
	return s.cmd.Wait()
}

// glibcNoRseq turns off glibc's per-thread rseq registration in the
// init and exec stages (see spawn).
const glibcNoRseq = "GLIBC_TUNABLES=glibc.pthread.rseq=0"

// boundingMask is the bounding set the container process ends up with:
// c.Bounding, or every capability when the spec sets none (the process
// stage then leaves the bounding set alone).
func boundingMask(c *specs.LinuxCapabilities) (uint64, error) {
	if c == nil {
		return ^uint64(0), nil
	}
	sets, err := capabilities.Masks(c)
	if err != nil {
		return 0, fmt.Errorf("process.capabilities: %w", err)
	}
	return sets.Bounding, nil
}
