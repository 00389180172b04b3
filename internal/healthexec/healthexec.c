// The per-container health executor.
//
// The daemon (Start, in healthexec_linux.go) re-executes its own sealed
// binary with _CRT_HEALTHEXEC set once per run of a container with a
// health check. This constructor then runs the executor before the Go
// runtime exists and never returns. Without _CRT_HEALTHEXEC it returns at
// once and the binary starts normally.
//
// A check is an exec into the container (package runtime's exec stage,
// internal/nsenter/nsenter.c). Run from the daemon, each one cost the Go
// runtime a blocked thread during the fork, a handoff of its P, the
// scheduler's monitor polling and a dozen parks and wakes: more than the
// check's own work in the daemon. The executor does that per-check work
// instead; the daemon keeps the schedule and the state machine, and per
// check only writes "run" and reads one result packet.
//
// Everything an exec of the check needs never changes during one run of
// the container, so the daemon hands it over once, at start:
//
//   fd 3   the control socket (SOCK_SEQPACKET: one message per packet)
//   fd 4   the sealed binary, executed with fexecve(3) as the exec stage
//   fd 5   the template: a file holding, one after the other,
//            argv[0] NUL  env[0] NUL ... env[n-1] NUL  NUL  sync bytes
//          where the sync bytes ("go" and the process plan, sync.go in
//          package runtime) are written to the stage's sync socket
//   fd 6.. the container's cgroup files (runtime.ExecTemplate's
//          CgroupProcs: v1 tasks, v2 cgroup.procs), _CRT_HEALTHEXEC of them
//
// Each check's stage gets its descriptors at the numbers its environment
// (made by runtime.ExecTemplate) names:
//
//   0 /dev/null, 1 and 2 the output pipe, 3 the sync socket,
//   4 the PID pipe, 5.. the cgroup files
//
// Control protocol, on fd 3:
//
//   direction          message                 meaning
//   executor -> daemon "ready"                 the template is loaded
//                      "error <msg>"           setup failed; the executor exits
//   daemon -> executor "run <timeout_ms>"      run one check
//   executor -> daemon "result <start> <end> <exit> <timedout> <more>\n<output>"
//                                              start and end in Unix ns,
//                                              exit code (128+n for signal
//                                              n, -1 after a timeout),
//                                              timedout 0 or 1, more 1 when
//                                              output was dropped, then at
//                                              most the first 4 KiB of
//                                              stdout and stderr, raw
//                      "error <msg>"           the check could not start; msg
//                                              is the stage's own error text
//                                              (a sync.go "error" line) or ours
//   daemon closes                              a check in flight is killed
//                                              (SIGKILL), everything reaped,
//                                              the executor exits
//
// One check: a fresh sync socketpair, PID pipe and output pipe; vfork and
// fexecve of the stage; the sync bytes written; then the socket tells the
// outcome (EOF: the target was executed, data: an error message), the PID
// pipe the target's PID. The output is read until EOF, its first 4 KiB
// kept; once the target has exited, what it left in the background may
// still hold the pipe, so the output is read DRAIN_MS more at most. The
// stage and the target (cloned with CLONE_PARENT) are both our children
// and both reaped here. Past the timeout the stage or the target is
// killed.
//
// Memory: no malloc; the template is mapped, buffers are fixed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CTL_FD 3
#define EXE_FD 4
#define TEMPLATE_FD 5
#define CGROUP_FD0 6
#define MAX_CGROUPS 32
#define MAX_ENV 128
#define OUT_KEEP 4096 // output kept per check, as Docker keeps
#define DRAIN_MS 1000 // output still read after the target exited
#define ERR_MAX 2048  // an error message from the stage, at most
// The stage's descriptors (see the header).
#define ST_SYNC 3
#define ST_PID 4
#define ST_CGROUP0 5
// Descriptors are moved above this in the stage's child first, so that
// no dup2 onto 0..ST_CGROUP0+MAX_CGROUPS overwrites a source.
#define HIGH_FD 64

// The template (see the header), loaded once.
static struct {
	char *argv[2];
	char *envp[MAX_ENV + 1];
	const char *sync;
	size_t synclen;
	int ncgroups;
	int null; // /dev/null
} tpl;

// Bytes of output are read through this; the first OUT_KEEP go to out.
static char scratch[65536];

// hx_send sends one packet of len bytes to the daemon. A daemon that is
// gone is noticed by the next recv or poll.
static void hx_send(const void *buf, size_t len)
{
	while (send(CTL_FD, buf, len, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

// hx_error sends "error <msg>" (formatted; %m is errno's text).
__attribute__((format(printf, 1, 2))) static void hx_error(const char *fmt, ...)
{
	char msg[ERR_MAX + 64];
	int n = snprintf(msg, sizeof(msg), "error ");
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(msg))
		n = sizeof(msg) - 1;
	hx_send(msg, n);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// ms_until is what is left until deadline (CLOCK_MONOTONIC ns) in ms for
// poll(2), rounded up, never negative.
static int ms_until(long long deadline)
{
	long long left = deadline - now_ns(CLOCK_MONOTONIC);

	if (left <= 0)
		return 0;
	if (left > 3600000LL * 1000000LL)
		return 3600000;
	return (int)((left + 999999) / 1000000);
}

// reap waits for our child pid and returns its exit code as a shell
// reports it (128+n for signal n); -1 when it cannot be waited for.
static int reap(pid_t pid)
{
	int st;

	for (;;) {
		if (waitpid(pid, &st, 0) == pid)
			break;
		if (errno != EINTR)
			return -1;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static void kill_and_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	reap(pid);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

// load_template maps the template file and points tpl at its parts.
// Returns 0, or -1 after telling the daemon what is wrong.
static int load_template(const char *ncg)
{
	struct stat st;
	char *p, *end, *nul;
	int n = 0;

	tpl.ncgroups = atoi(ncg);
	if (tpl.ncgroups < 0 || tpl.ncgroups > MAX_CGROUPS) {
		hx_error("health executor: %s cgroup files: at most %d", ncg, MAX_CGROUPS);
		return -1;
	}
	if (fstat(TEMPLATE_FD, &st) < 0 || st.st_size <= 0) {
		hx_error("health executor: the template (fd %d) is empty or unreadable: %m", TEMPLATE_FD);
		return -1;
	}
	// Private and read-only: the file is the daemon's, and no byte of it
	// is copied.
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, TEMPLATE_FD, 0);
	if (p == MAP_FAILED) {
		hx_error("health executor: mapping the template: %m");
		return -1;
	}
	end = p + st.st_size;
	nul = memchr(p, '\0', end - p);
	if (nul == NULL || nul == p) {
		hx_error("health executor: the template has no argv[0]");
		return -1;
	}
	tpl.argv[0] = p;
	p = nul + 1;
	// The environment ends at an empty string.
	for (;;) {
		nul = p < end ? memchr(p, '\0', end - p) : NULL;
		if (nul == NULL) {
			hx_error("health executor: the template's environment is not terminated");
			return -1;
		}
		if (nul == p)
			break;
		if (n == MAX_ENV) {
			hx_error("health executor: more than %d variables in the template", MAX_ENV);
			return -1;
		}
		tpl.envp[n++] = p;
		p = nul + 1;
	}
	tpl.sync = p + 1;
	tpl.synclen = end - tpl.sync;
	if (tpl.synclen == 0) {
		hx_error("health executor: the template has no sync bytes");
		return -1;
	}
	return 0;
}

// setup loads the template, opens /dev/null and marks every descriptor
// we were given close-on-exec: the stage gets only those it names.
static int setup(const char *ncg)
{
	int fd, last;

	if (load_template(ncg) < 0)
		return -1;
	close(TEMPLATE_FD);
	last = CGROUP_FD0 + tpl.ncgroups;
	for (fd = CTL_FD; fd < last; fd++) {
		if (fd == TEMPLATE_FD)
			continue;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			hx_error("health executor: descriptor %d: %m", fd);
			return -1;
		}
	}
	tpl.null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (tpl.null < 0) {
		hx_error("health executor: opening /dev/null: %m");
		return -1;
	}
	return 0;
}

// exec_stage runs in the vforked child (sharing our memory, so it
// writes nothing but its own stack frame): it puts the descriptors at the
// stage's numbers and executes the stage. It never returns; on failure it
// writes an error line to the sync socket, as the stage itself would.
static void exec_stage(int sync, int pidw, int outw)
{
	int src[ST_CGROUP0 + MAX_CGROUPS], high[ST_CGROUP0 + MAX_CGROUPS];
	static const char prefix[] = "{\"type\":\"error\",\"message\":\"health executor: starting the exec stage: ";
	int n = ST_CGROUP0 + tpl.ncgroups, i, errfd = sync, exe;
	const char *msg;

	src[0] = tpl.null;
	src[1] = outw;
	src[2] = outw;
	src[ST_SYNC] = sync;
	src[ST_PID] = pidw;
	for (i = 0; i < tpl.ncgroups; i++)
		src[ST_CGROUP0 + i] = CGROUP_FD0 + i;
	// Copies above every target number first: a source may sit on a
	// target (the sync socket got 3 if it was free).
	for (i = 0; i < n; i++) {
		high[i] = fcntl(src[i], F_DUPFD_CLOEXEC, HIGH_FD);
		if (high[i] < 0)
			goto fail;
	}
	// From here the original numbers may be overwritten (the binary's
	// EXE_FD by the PID pipe); the copies are not.
	errfd = high[ST_SYNC];
	exe = fcntl(EXE_FD, F_DUPFD_CLOEXEC, HIGH_FD);
	if (exe < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		// dup2 clears close-on-exec on the new descriptor; everything
		// else we hold is close-on-exec (setup).
		if (dup2(high[i], i) < 0)
			goto fail;
	}
	fexecve(exe, tpl.argv, tpl.envp);
fail:
	// No stdio: its buffers are shared with the parent. Best effort: if
	// the line does not get through, the parent reads EOF without a PID
	// ("namespace stage exited early").
	msg = strerror(errno);
	if (write(errfd, prefix, sizeof(prefix) - 1) > 0 && write(errfd, msg, strlen(msg)) > 0)
		_exit(write(errfd, "\"}\n", 3) == 3 ? 127 : 126);
	_exit(127);
}

// The check in flight: what run_check must kill, reap and close on any
// way out.
struct check {
	pid_t stage, target;
	int sync, pidr, outr, pidfd;
	long long deadline; // CLOCK_MONOTONIC ns
};

static void check_end(struct check *c)
{
	kill_and_reap(c->stage);
	kill_and_reap(c->target);
	c->stage = c->target = -1;
	close_fd(&c->sync);
	close_fd(&c->pidr);
	close_fd(&c->outr);
	close_fd(&c->pidfd);
}

// daemon_gone tells whether the control socket's other end has closed,
// from the revents of its pollfd.
static int daemon_gone(short revents)
{
	return (revents & (POLLHUP | POLLERR)) != 0;
}

enum outcome { EXECUTED, FAILED, TIMED_OUT, GONE, BROKEN };

// start_target writes the sync bytes and waits for the outcome on the
// sync socket: EOF with nothing read means the target was executed;
// anything read is an error message (into err, NUL-terminated).
static enum outcome start_target(struct check *c, char *err, size_t errcap)
{
	size_t off = 0, errlen = 0;

	err[0] = '\0';
	if (fcntl(c->sync, F_SETFL, O_NONBLOCK) < 0) {
		snprintf(err, errcap, "health executor: the sync socket: %s", strerror(errno));
		return BROKEN;
	}
	for (;;) {
		struct pollfd fds[2] = {
			{.fd = c->sync, .events = POLLIN | (off < tpl.synclen ? POLLOUT : 0)},
			{.fd = CTL_FD, .events = 0},
		};
		ssize_t r;
		int n = poll(fds, 2, ms_until(c->deadline));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errcap, "health executor: poll: %s", strerror(errno));
			return BROKEN;
		}
		if (daemon_gone(fds[1].revents))
			return GONE;
		if (n == 0)
			return TIMED_OUT;
		if (fds[0].revents & POLLOUT) {
			// The stage reads only the "go" line: the rest waits in the
			// socket for the Go stage, which may take more than one
			// socket buffer, so the bytes go as room comes.
			r = send(c->sync, tpl.sync + off, tpl.synclen - off, MSG_NOSIGNAL);
			if (r > 0)
				off += r;
			else if (r < 0 && errno != EAGAIN && errno != EINTR)
				off = tpl.synclen; // the stage is gone: read why
		}
		if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(c->sync, err + errlen, errcap - 1 - errlen);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) { // EOF; a reset is the same
			err[errlen] = '\0';
			return errlen == 0 ? EXECUTED : FAILED;
		}
		errlen += r;
		if (errlen == errcap - 1) {
			// Longer than we keep: the rest is not read; the stage
			// fails and exits whether or not it is.
			err[errlen] = '\0';
			return FAILED;
		}
	}
}

// read_pid reads the target's PID from the PID pipe, once the stage has
// written it or exited. Returns 0 when there is none.
static pid_t read_pid(int fd)
{
	char b[24];
	ssize_t n;
	char *end;
	long pid;

	do
		n = read(fd, b, sizeof(b) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	b[n] = '\0';
	pid = strtol(b, &end, 10);
	if (end == b || (*end != '\n' && *end != '\0') || pid <= 0)
		return 0;
	return (pid_t)pid;
}

// collect reads the target's output into out (its first OUT_KEEP bytes,
// *outlen of them; *more once some was dropped) and waits for the target's exit. Returns EXECUTED with
// *code set, TIMED_OUT (killed), GONE or BROKEN (err says why).
static enum outcome collect(struct check *c, char *out, size_t *outlen, int *more, int *code, char *err,
			    size_t errcap)
{
	int out_eof = 0, exited = 0;
	long long drain_end = 0;

	c->pidfd = (int)syscall(SYS_pidfd_open, c->target, 0);
	if (c->pidfd < 0 || fcntl(c->outr, F_SETFL, O_NONBLOCK) < 0) {
		snprintf(err, errcap, "health executor: watching process %d: %s", c->target, strerror(errno));
		return BROKEN;
	}
	while (!(out_eof && exited)) {
		struct pollfd fds[3] = {
			{.fd = CTL_FD, .events = 0},
			{.fd = out_eof ? -1 : c->outr, .events = POLLIN},
			{.fd = exited ? -1 : c->pidfd, .events = POLLIN},
		};
		int n = poll(fds, 3, ms_until(exited ? drain_end : c->deadline));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errcap, "health executor: poll: %s", strerror(errno));
			return BROKEN;
		}
		if (daemon_gone(fds[0].revents))
			return GONE;
		if (n == 0) {
			if (exited)
				break; // the drain is over: the output is what we have
			return TIMED_OUT;
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(c->outr, scratch, sizeof(scratch));

			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				out_eof = 1;
			} else if (r > 0) {
				size_t keep = (size_t)r < OUT_KEEP - *outlen ? (size_t)r : OUT_KEEP - *outlen;

				memcpy(out + *outlen, scratch, keep);
				*outlen += keep;
				if (keep < (size_t)r)
					*more = 1;
			}
		}
		if (fds[2].revents & POLLIN) {
			// A pidfd is readable once its process has exited.
			*code = reap(c->target);
			c->target = -1;
			exited = 1;
			drain_end = now_ns(CLOCK_MONOTONIC) + DRAIN_MS * 1000000LL;
		}
	}
	return EXECUTED;
}

// run_check runs one check with a timeout and sends its result.
static void run_check(long timeout_ms)
{
	static char err[ERR_MAX];
	static char result[128 + OUT_KEEP];
	struct check c = {.stage = -1, .target = -1, .sync = -1, .pidr = -1, .outr = -1, .pidfd = -1};
	int sv[2], pp[2], op[2], code = -1, more = 0, hlen;
	size_t outlen = 0;
	long long start = now_ns(CLOCK_REALTIME);
	enum outcome o;

	c.deadline = now_ns(CLOCK_MONOTONIC) + timeout_ms * 1000000LL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		hx_error("health executor: socketpair: %m");
		return;
	}
	if (pipe2(pp, O_CLOEXEC) < 0) {
		hx_error("health executor: pipe: %m");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pipe2(op, O_CLOEXEC) < 0) {
		hx_error("health executor: pipe: %m");
		close(sv[0]);
		close(sv[1]);
		close(pp[0]);
		close(pp[1]);
		return;
	}
	// vfork: the child shares our memory until it executes the stage,
	// so no page tables are copied (most of a fork's cost); we wait that
	// long. The child only makes syscalls, writes its own frame and
	// never returns (exec_stage), which is what vfork allows.
	c.stage = vfork();
	if (c.stage == 0)
		exec_stage(sv[1], pp[1], op[1]);
	close(sv[1]);
	close(pp[1]);
	close(op[1]);
	c.sync = sv[0];
	c.pidr = pp[0];
	c.outr = op[0];
	if (c.stage < 0) {
		hx_error("health executor: vfork: %m");
		c.stage = -1;
		check_end(&c);
		return;
	}

	o = start_target(&c, err, sizeof(err));
	if (o == EXECUTED || o == FAILED) {
		// The socket's EOF means the stage has exited (it held the
		// socket too): the PID is in the pipe, or never will be.
		c.target = read_pid(c.pidr);
		reap(c.stage);
		c.stage = -1;
		if (o == EXECUTED && c.target == 0) {
			snprintf(err, sizeof(err), "namespace stage exited early");
			o = FAILED;
		}
	} else {
		// Timed out or stopped while starting: the stage goes first,
		// then the PID pipe tells whether it made the target.
		kill_and_reap(c.stage);
		c.stage = -1;
		c.target = read_pid(c.pidr);
	}
	if (c.target == 0)
		c.target = -1;
	if (o == EXECUTED)
		o = collect(&c, result + 128, &outlen, &more, &code, err, sizeof(err));

	switch (o) {
	case GONE:
		check_end(&c);
		_exit(0);
	case FAILED:
	case BROKEN:
		check_end(&c);
		hx_error("%s", err);
		return;
	case TIMED_OUT:
		check_end(&c);
		code = -1;
		outlen = 0;
		more = 0;
		break;
	case EXECUTED:
		check_end(&c);
		break;
	}
	// The header goes right before the output, which collect wrote at
	// result+128: one packet, no copy of the output.
	hlen = snprintf(err, sizeof(err), "result %lld %lld %d %d %d\n", start, now_ns(CLOCK_REALTIME), code,
			o == TIMED_OUT, more);
	memcpy(result + 128 - hlen, err, hlen);
	hx_send(result + 128 - hlen, hlen + outlen);
}

__attribute__((constructor)) static void healthexec(void)
{
	const char *ncg = getenv("_CRT_HEALTHEXEC");
	char req[64];

	if (ncg == NULL || *ncg == '\0')
		return;
	if (setup(ncg) < 0)
		_exit(1);
	hx_send("ready", 5);
	for (;;) {
		ssize_t n = recv(CTL_FD, req, sizeof(req) - 1, 0);
		char *end;
		long ms;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); // the daemon closed (or is gone): nothing is in flight
		req[n] = '\0';
		if (strncmp(req, "run ", 4) != 0) {
			hx_error("health executor: unknown request %.16s", req);
			continue;
		}
		ms = strtol(req + 4, &end, 10);
		if (end == req + 4 || *end != '\0' || ms <= 0) {
			hx_error("health executor: bad timeout %.16s", req + 4);
			continue;
		}
		run_check(ms);
	}
}
