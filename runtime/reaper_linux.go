package runtime

import "golang.org/x/sys/unix"

// The minimal init run as PID 1 when CreateOptions.Init is set (like
// tini: it forwards signals to the container process, reaps orphans and
// exits with the container process's status) lives in the C stage,
// internal/nsenter/nsenter.c: a re-executed Go binary cannot start inside
// a root filesystem without our dynamic loader and libraries. It is
// confined like the container process before that process may run: the
// same seccomp program and bounding set (nsenter.EnvInitBounding), and
// non-dumpable.

// exitCode turns a wait status into a shell-style exit code.
func exitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
