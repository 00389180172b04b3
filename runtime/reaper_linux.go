package runtime

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// reaperMain is the minimal init (like tini) run as PID 1 when asked: it
// starts the target as its child, forwards every signal it gets to it,
// reaps every zombie reparented to it, and exits with the target's status
// (128+n when the target was killed by signal n). Our identity,
// capabilities and seccomp filter were already set before it was executed;
// the target inherits them.
//
// Arguments: argv[1] is the resolved target path, argv[2:] its argv.
func reaperMain() {
	os.Unsetenv(envReaper)
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "container-runtime-init: missing target")
		os.Exit(127)
	}
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	pid, err := syscall.ForkExec(os.Args[1], os.Args[2:], &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Setsid: false},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "container-runtime-init: executing %s: %v\n", os.Args[1], err)
		os.Exit(127)
	}
	for sig := range sigs {
		if sig == unix.SIGCHLD {
			if code, done := reap(pid); done {
				os.Exit(code)
			}
			continue
		}
		if sig == unix.SIGURG {
			continue // the Go runtime's preemption signal, not meant for the target
		}
		// Forward everything else; the kernel protects PID 1 from signals
		// it has no handler for, so the target decides.
		unix.Kill(pid, sig.(syscall.Signal))
	}
}

// reap collects every exited child; done is true once target has exited.
func reap(target int) (code int, done bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return code, done
		}
		if pid == target {
			code, done = exitCode(ws), true
		}
	}
}

// exitCode turns a wait status into a shell-style exit code.
func exitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
