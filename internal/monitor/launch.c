// LAUNCH: start a process for the daemon (the runtime's namespace stage)
// as a child of the monitor, so that the container's init, which the
// stage clones with CLONE_PARENT, is our child too and we can wait for it.
// One LAUNCH succeeds per monitor: the init is the child that this
// process leaves behind (find_init in monitor.c).
//
// Payload (every field NUL-terminated):
//
//   "launch" dir argc arg[0] ... arg[argc-1] env[0] ... env[n-1]
//
// dir is the working directory ("" keeps the monitor's), argc is decimal,
// and the environment is everything after the arguments. SCM_RIGHTS
// carries [exe, file for fd 3, file for fd 4, ...]. "launch-cg", with the
// same payload, carries [exe, cgroup, file for fd 3, ...]: the process is
// born in that cgroup v2 directory (clone3 with CLONE_INTO_CGROUP), which
// spares it the kernel's grace-period wait of a move (see
// runtime/cgroupjoin_linux.go); if the kernel or a seccomp filter refuses
// clone3, the reply is "error clone3 <errno> <reason>". exe is executed with
// fexecve(3) (execveat AT_EMPTY_PATH): it must be an ELF binary, since
// the monitor's copy of it is close-on-exec and a script interpreter
// could not open it.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// What failed in the child, sent to the parent on the error pipe.
enum { STEP_DUP = 1, STEP_CHDIR, STEP_EXEC };

static void __attribute__((noreturn)) child_fail(int errfd, int step)
{
	int msg[2] = { step, errno };

	if (write(errfd, msg, sizeof(msg)) < 0) {
		// Nothing left to tell anyone.
	}
	_exit(127);
}

// run_child places the files at 0, 1, 2, 3, ... and executes exe. Every
// source descriptor is first moved above the target range, so that a
// dup2 into that range never overwrites a source not yet placed.
static void __attribute__((noreturn)) run_child(struct mon *m, int errfd, const char *dir, char **argv,
						 char **envp, const int *fds, int nfds)
{
	int base = 3 + (nfds - 1), std[3], src[nfds], exe;
	sigset_t none;

	errfd = fcntl(errfd, F_DUPFD_CLOEXEC, base);
	if (errfd < 0)
		_exit(127);
	exe = fcntl(fds[0], F_DUPFD_CLOEXEC, base);
	if (exe < 0)
		child_fail(errfd, STEP_DUP);
	for (int i = 1; i < nfds; i++)
		if ((src[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, base)) < 0)
			child_fail(errfd, STEP_DUP);
	for (int k = 0; k < 3; k++) {
		int f = m->tty ? -1 : m->child_fd[k];

		if (f < 0 && (f = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
			child_fail(errfd, STEP_DUP);
		if ((std[k] = fcntl(f, F_DUPFD_CLOEXEC, base)) < 0)
			child_fail(errfd, STEP_DUP);
	}
	// dup2 clears close-on-exec on the targets, and only there.
	for (int k = 0; k < 3; k++)
		if (dup2(std[k], k) < 0)
			child_fail(errfd, STEP_DUP);
	for (int i = 1; i < nfds; i++)
		if (dup2(src[i], 2 + i) < 0)
			child_fail(errfd, STEP_DUP);
	// Everything above the range is ours and is already close-on-exec;
	// make sure of it for anything an older kernel or libc left open.
	syscall(SYS_close_range, base, ~0U, CLOSE_RANGE_CLOEXEC);
	if (dir[0] != '\0' && chdir(dir) < 0)
		child_fail(errfd, STEP_CHDIR);
	// Ignored signals and the blocked mask survive execve: undo ours.
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fexecve(exe, argv, envp);
	child_fail(errfd, STEP_EXEC);
}

// mon_launch handles one LAUNCH message: buf holds len bytes of payload
// and room for ptrcap pointers follows in ptrs.
void mon_launch(struct mon *m, char *buf, size_t len, char **ptrs, size_t ptrcap, const int *fds,
		int nfds, int cgroupfd)
{
	static const char *steps[] = { "", "placing descriptors", "chdir", "exec" };
	char *p, *end = buf + len, *dir, **argv, **envp;
	size_t nstr = 0, argc;
	int errp[2], msg[2];
	ssize_t r;
	pid_t pid;

	if (m->stage != 0) {
		mon_reply(m, "error launch: already launched");
		return;
	}
	if (len == 0 || buf[len - 1] != '\0' || nfds < 1) {
		mon_reply(m, "error launch: malformed message");
		return;
	}
	dir = buf + strlen(buf) + 1; // past "launch"
	p = dir + strlen(dir) + 1;
	if (p >= end) {
		mon_reply(m, "error launch: malformed message");
		return;
	}
	argc = strtoul(p, NULL, 10);
	p += strlen(p) + 1;
	for (char *q = p; q < end; q += strlen(q) + 1)
		nstr++;
	if (argc < 1 || argc > nstr || nstr + 2 > ptrcap) {
		mon_reply(m, "error launch: bad argument count %zu of %zu strings", argc, nstr);
		return;
	}
	argv = ptrs;
	envp = ptrs + argc + 1;
	for (size_t i = 0; i < nstr; i++, p += strlen(p) + 1)
		*(i < argc ? &argv[i] : &envp[i - argc]) = p;
	argv[argc] = NULL;
	envp[nstr - argc] = NULL;

	if (pipe2(errp, O_CLOEXEC) < 0) {
		mon_reply(m, "error launch: pipe: %s", strerror(errno));
		return;
	}
	if (cgroupfd >= 0) {
		// Like fork, but born in the cgroup. The child makes only
		// system calls until it executes, as after a fork.
		struct clone_args args;

		memset(&args, 0, sizeof(args));
		args.flags = CLONE_INTO_CGROUP;
		args.exit_signal = SIGCHLD;
		args.cgroup = (uint64_t)cgroupfd;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	} else {
		pid = fork();
	}
	if (pid == 0)
		run_child(m, errp[1], dir, argv, envp, fds, nfds);
	close(errp[1]);
	if (pid < 0) {
		int err = errno;

		close(errp[0]);
		if (cgroupfd >= 0)
			mon_reply(m, "error clone3 %d %s", err, strerror(err));
		else
			mon_reply(m, "error launch: fork: %s", strerror(err));
		return;
	}
	// EOF: the exec succeeded (the pipe closed with it). Otherwise the
	// child tells what failed and exits; reap it here.
	do
		r = read(errp[0], msg, sizeof(msg));
	while (r < 0 && errno == EINTR);
	close(errp[0]);
	if (r == sizeof(msg)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		mon_reply(m, "error launch: %s%s%s: %s", steps[msg[0] < 4 ? msg[0] : 0],
			  msg[0] == STEP_CHDIR ? " " : "", msg[0] == STEP_CHDIR ? dir : "",
			  strerror(msg[1]));
		return;
	}
	m->stage = pid;
	mon_reply(m, "pid %d", (int)pid);
}
