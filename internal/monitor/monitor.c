// The per-container monitor.
//
// A daemon that imports package monitor re-executes itself with
// _CRT_MONITOR=1 (Start, in start_linux.go). This constructor then runs
// the monitor before the Go runtime exists and never returns: the process
// costs the memory of a small C program, not of a Go one. Without
// _CRT_MONITOR it returns at once and the binary starts normally.
//
// The monitor holds the container's stdio (pipes, or the pty master that
// the container sends to console.sock), writes the CRI log file
// (logfile.c), serves attach clients on attach.sock (attach.c), starts
// the runtime's namespace stage for the daemon (launch.c), reaps the
// container's init (as a child subreaper it is the init's parent) and
// records its exit in exit.json. It calls setsid(2) and outlives the
// daemon: a restarted daemon finds it through attach.sock and exit.json.
//
// Configuration (environment):
//
//   _CRT_MONITOR_DIR             runtime dir; the monitor chdirs there and
//                                creates attach.sock, console.sock, exit.json
//   _CRT_MONITOR_LOG             absolute path of the log file
//   _CRT_MONITOR_LOG_MAX_SIZE    bytes before rotation (default 10 MiB)
//   _CRT_MONITOR_LOG_MAX_FILES   files kept, the current one included (default 3)
//   _CRT_MONITOR_TTY=1           output comes from a pty master sent to console.sock
//   _CRT_MONITOR_STDIN=1         the container's stdin is a pipe (else /dev/null)
//
// Control protocol, on fd 3 (SOCK_SEQPACKET: one message per packet):
//
//   step  direction         message                 meaning
//   1     monitor -> daemon "ready"                 sockets listen, pipes exist
//         monitor -> daemon "error <msg>"           setup failed; the monitor exits
//   2     daemon -> monitor "launch\0..." + fds     start the stage (launch.c), once
//         monitor -> daemon "pid <N>" | "error <msg>"
//   3     daemon closes                             before the init is known: the
//                                                   monitor exits once it has no
//                                                   children left, without exit.json;
//                                                   after: ignored
//
// The init is not named by the daemon: when the stage exits, the child
// it left (its CLONE_PARENT clone) is the init (find_init).
//
// When the init exits, the monitor reads the output still buffered (until
// EOF on the pipes or EIO on the master, at most 2 s: a process outside
// the container's PID namespace may keep a pipe open), flushes the log,
// removes attach.sock, writes exit.json atomically (temp file + rename):
//
//   {"pid":N,"exitCode":N,"signal":N,"time":"2024-05-01T10:00:00.123456789Z"}
//
// (exitCode is 128+n for a death by signal n), sends an exit frame to
// every attach client and exits.
//
// Memory: no malloc; fixed buffers (two line buffers, one stdin buffer,
// a log batch) in .bss, touched only when used; a LAUNCH message is
// received into an mmap that is unmapped right after.
#include "monitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define CTL_FD 3
// A LAUNCH message is received into CTL_BUF bytes of a fresh mapping,
// followed by CTL_PTRS bytes for its argv and envp arrays.
#define CTL_BUF (1 << 20)
#define CTL_PTRS (1 << 20)
#define CTL_MAXFDS 64
#define IDLE_FLUSH_MS 1000 // an unfinished line is logged as P after this
#define DRAIN_MS 2000      // output still read after the init exited

static struct mon M;

void mon_reply(struct mon *m, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	if (m->ctl < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	send(m->ctl, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1, MSG_NOSIGNAL);
}

static void __attribute__((noreturn)) setup_fail(struct mon *m, const char *what)
{
	mon_reply(m, "error monitor: %s: %s", what, strerror(errno));
	_exit(1);
}

// rfc3339 formats t as UTC with nanoseconds. It converts days to a date
// itself (H. Hinnant's civil_from_days): gmtime_r would make glibc load
// the time zone database, which costs memory for nothing.
static void rfc3339(const struct timespec *t, char out[MON_TS])
{
	long long z = t->tv_sec / 86400 + 719468, secs = t->tv_sec % 86400;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1, mo = mp < 10 ? mp + 3 : mp - 9;
	long long y = (long long)yoe + era * 400 + (mo <= 2);

	snprintf(out, MON_TS, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, mo, d, secs / 3600,
		 secs / 60 % 60, secs % 60, t->tv_nsec);
}

static long long ms_until(const struct timespec *due, const struct timespec *now)
{
	return (due->tv_sec - now->tv_sec) * 1000 + (due->tv_nsec - now->tv_nsec) / 1000000;
}

static int listen_unix(const char *name, int backlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old;
	int r;

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", name);
	unlink(name); // left by an earlier monitor of this container
	old = umask(0077); // the socket file is 0600: only root may attach
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, backlog) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static long long env_num(const char *name, long long def)
{
	const char *v = getenv(name);
	long long n = v != NULL ? strtoll(v, NULL, 10) : 0;

	return n > 0 ? n : def;
}

// no_huge_pages keeps transparent huge pages away from [p, p+len): with
// THP "always", touching our state in the large .bss of a Go binary, or
// the LAUNCH mapping, could fault in 2 MiB at once.
static void no_huge_pages(void *p, size_t len)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), start = (uintptr_t)p & ~(pg - 1);

	madvise((void *)start, ((uintptr_t)p + len - start + pg - 1) & ~(pg - 1), MADV_NOHUGEPAGE);
}

static void setup(struct mon *m)
{
	const char *dir = getenv("_CRT_MONITOR_DIR");
	int type = 0, p[2];
	socklen_t tl = sizeof(type);
	sigset_t chld;

	no_huge_pages(m, sizeof(*m));
	m->ctl = m->sigfd = m->attach = m->console = m->console_conn = m->in_w = -1;
	m->out[0].fd = m->out[1].fd = m->log.fd = -1;
	for (int i = 0; i < 3; i++)
		m->child_fd[i] = -1;
	for (int i = 0; i < MON_CLIENTS; i++)
		m->clients[i].fd = -1;
	if (getsockopt(CTL_FD, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_SEQPACKET)
		_exit(2); // not started by Start: nobody to tell
	m->ctl = CTL_FD;
	fcntl(m->ctl, F_SETFD, FD_CLOEXEC);
	m->log.path = getenv("_CRT_MONITOR_LOG");
	if (dir == NULL || *dir == '\0' || m->log.path == NULL || m->log.path[0] != '/') {
		errno = EINVAL;
		setup_fail(m, "_CRT_MONITOR_DIR and an absolute _CRT_MONITOR_LOG are required");
	}
	m->log.max = env_num("_CRT_MONITOR_LOG_MAX_SIZE", 10 << 20);
	m->log.files = (int)env_num("_CRT_MONITOR_LOG_MAX_FILES", 3);
	if (m->log.files > 1000)
		m->log.files = 1000;
	m->tty = env_num("_CRT_MONITOR_TTY", 0) == 1;
	m->out[0].stream = FR_STDOUT;
	m->out[1].stream = FR_STDERR;

	// A session of our own: no controlling terminal, and no signal
	// meant for the daemon's process group reaches us.
	setsid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		setup_fail(m, "PR_SET_CHILD_SUBREAPER");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((m->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		setup_fail(m, "signalfd");
	if (chdir(dir) < 0)
		setup_fail(m, dir);
	if (m->tty) {
		if ((m->console = listen_unix("console.sock", 4)) < 0)
			setup_fail(m, "listening on console.sock");
	} else {
		for (int k = 0; k < 2; k++) {
			if (pipe2(p, O_CLOEXEC) < 0)
				setup_fail(m, "pipe");
			m->out[k].fd = p[0];
			m->child_fd[k + 1] = p[1];
			nonblock(p[0]);
		}
		if (env_num("_CRT_MONITOR_STDIN", 0) == 1) {
			if (pipe2(p, O_CLOEXEC) < 0)
				setup_fail(m, "pipe");
			m->child_fd[0] = p[0];
			m->in_w = p[1];
			nonblock(p[1]);
		}
	}
	if ((m->attach = listen_unix("attach.sock", 16)) < 0)
		setup_fail(m, "listening on attach.sock");
	if (mon_log_open(&m->log) < 0)
		setup_fail(m, m->log.path);
	mon_reply(m, "ready");
}

// close_child_ends drops our copies of the child's stdio, so that EOF on
// the pipes means the container and its children are done with them.
static void close_child_ends(struct mon *m)
{
	for (int i = 0; i < 3; i++) {
		if (m->child_fd[i] >= 0)
			close(m->child_fd[i]);
		m->child_fd[i] = -1;
	}
}

static void init_exited(struct mon *m, int status, const struct timespec *when)
{
	m->init_done = 1;
	m->status = status;
	m->exited = *when;
	clock_gettime(CLOCK_MONOTONIC, &m->drain_by);
	m->drain_by.tv_sec += DRAIN_MS / 1000;
}

// children_first returns the first PID in our list of children
// (/proc/self/task/<tid>/children; we have one thread), 0 when the list
// is empty, -1 when it cannot be read.
static pid_t children_first(void)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

// stat_child reads /proc/<pid>/stat (dir is /proc) and, when pid is our
// child, returns 1 with its start time (clock ticks after boot).
static int stat_child(int dir, pid_t pid, unsigned long long *start)
{
	char path[32], buf[1024], *p;
	ssize_t n;
	int fd, ppid, field;

	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	if ((fd = openat(dir, path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1 || ppid != getpid())
		return 0;
	// The start time is field 22; field 3, the state, follows the ')'.
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return 0;
	*start = strtoull(p + 1, NULL, 10);
	return 1;
}

// scan_children finds the init without the children list (a kernel built
// without CONFIG_PROC_CHILDREN): of the processes in /proc whose parent
// we are, the one started first (the lower PID on a tie, as start times
// count clock ticks). 0: none.
static pid_t scan_children(void)
{
	char buf[4096];
	unsigned long long start, best_start = 0;
	pid_t best = 0;
	long n;
	int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir < 0)
		return 0;
	while ((n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			pid_t pid = (pid_t)atoi(d->d_name);

			off += d->d_reclen;
			if (pid > 0 && stat_child(dir, pid, &start) &&
			    (best == 0 || start < best_start || (start == best_start && pid < best))) {
				best = pid;
				best_start = start;
			}
		}
	}
	close(dir);
	return best;
}

// find_init returns the container's init: the child that the stage (the
// launched process, just reaped) left behind, its CLONE_PARENT clone. The
// kernel keeps a process's children in the order they became its
// children (a clone appends one, so does the adoption of an orphan), and
// lists them in that order, zombies included. Nothing but the init can
// become our child before it does: the stage clones once, and every
// orphan we adopt descends from the init. Until the init is known no
// other child is reaped (reap), so it is listed even once it exited. The
// PID comes from the kernel, never from the container. 0: the stage left
// no child (it failed before its clone).
static pid_t find_init(void)
{
	pid_t pid = children_first();

	return pid >= 0 ? pid : scan_children();
}

static void reap(struct mon *m)
{
	struct signalfd_siginfo si;
	struct timespec now;
	int status;
	pid_t pid;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
		;
	if (m->init == 0) {
		if (m->stage <= 0)
			return;
		do
			pid = waitpid(m->stage, &status, WNOHANG);
		while (pid < 0 && errno == EINTR);
		if (pid != m->stage)
			return;
		m->stage = -1;
		if ((m->init = find_init()) == 0)
			return;
	}
	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return;
		if (pid == m->init) {
			clock_gettime(CLOCK_REALTIME, &now);
			init_exited(m, status, &now);
		}
	}
}

// control handles one message from the daemon.
static void control(struct mon *m)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * CTL_MAXFDS)];
	} cbuf;
	char small[64], *buf = mmap(NULL, CTL_BUF + CTL_PTRS, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int big = buf != MAP_FAILED, fds[CTL_MAXFDS], nfds = 0;
	struct iovec iov = { big ? buf : small, (big ? CTL_BUF : sizeof(small)) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
			      .msg_controllen = sizeof(cbuf.b) };
	ssize_t n;

	if (big)
		no_huge_pages(buf, CTL_BUF + CTL_PTRS);
	else
		buf = small;
	n = recvmsg(m->ctl, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		goto out;
	if (n <= 0) {
		// The daemon is gone. Before INIT the main loop ends us once
		// no child is left; after it, nothing changes.
		close(m->ctl);
		m->ctl = -1;
		goto out;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) && nfds < CTL_MAXFDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	buf[n] = '\0';
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		mon_reply(m, "error message too large (at most %d bytes and %d files)", CTL_BUF - 1, CTL_MAXFDS);
	} else if (big && n >= 7 && memcmp(buf, "launch", 7) == 0) {
		mon_launch(m, buf, n, (char **)(buf + CTL_BUF), CTL_PTRS / sizeof(char *), fds, nfds, -1);
		if (m->stage > 0)
			close_child_ends(m); // the stage has them now
	} else if (big && n >= 10 && memcmp(buf, "launch-cg", 10) == 0 && nfds >= 2) {
		// [exe, cgroup directory, files...]: the cgroup goes aside.
		int files[CTL_MAXFDS];

		files[0] = fds[0];
		for (int i = 2; i < nfds; i++)
			files[i - 1] = fds[i];
		mon_launch(m, buf, n, (char **)(buf + CTL_BUF), CTL_PTRS / sizeof(char *), files, nfds - 1,
			   fds[1]);
		if (m->stage > 0)
			close_child_ends(m); // the stage has them now
	} else {
		mon_reply(m, "error unknown message");
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
out:
	if (big)
		munmap(buf, CTL_BUF + CTL_PTRS);
}

// console_accept takes a connection on console.sock. The runtime connects
// when it creates the container but sends the master only once the root
// file system is set up, so the connection joins the poll set and
// console_recv reads it when it is readable: nothing here blocks.
static void console_accept(struct mon *m)
{
	int conn;

	if (m->console < 0 || (conn = accept4(m->console, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0)
		return;
	if (m->console_conn >= 0)
		close(m->console_conn); // a newer sender replaces an older one
	m->console_conn = conn;
}

// console_recv takes the pty master from the console connection
// (the process stage's console_setup, internal/nsenter/process.c, sends it with SCM_RIGHTS, the slave's name as the
// message, as runc does).
static void console_recv(struct mon *m)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cbuf;
	char name[256];
	struct iovec iov = { name, sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
			      .msg_controllen = sizeof(cbuf.b) };
	struct cmsghdr *c;
	int master = -1;
	ssize_t n;

	if (m->console_conn < 0)
		return;
	n = recvmsg(m->console_conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n >= 0 && (c = CMSG_FIRSTHDR(&msg)) != NULL && c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&master, CMSG_DATA(c), sizeof(int));
	close(m->console_conn);
	m->console_conn = -1;
	if (master < 0)
		return;
	close(m->console);
	m->console = -1;
	unlink("console.sock");
	nonblock(master);
	m->out[0].fd = master;
	m->in_w = fcntl(master, F_DUPFD_CLOEXEC, 3);
	mon_resize(m);
}

static void flush_partial(struct mon *m, struct mon_output *o)
{
	struct timespec now;
	char ts[MON_TS];

	if (o->len == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	rfc3339(&now, ts);
	mon_log_add(&m->log, o->stream, 1, ts, o->buf, o->len);
	mon_log_flush(&m->log);
	o->len = 0;
}

// log_lines logs the complete lines of o->buf, whose last n bytes were
// just read, and keeps an unfinished one for later.
static void log_lines(struct mon *m, struct mon_output *o, size_t n, const char *ts)
{
	char *start = o->buf, *scan = o->buf + o->len, *end = scan + n, *nl;

	while ((nl = memchr(scan, '\n', end - scan)) != NULL) {
		mon_log_add(&m->log, o->stream, 0, ts, start, nl - start);
		start = scan = nl + 1;
	}
	o->len = end - start;
	if (o->len == sizeof(o->buf)) {
		mon_log_add(&m->log, o->stream, 1, ts, start, o->len);
		o->len = 0;
	}
	mon_log_flush(&m->log); // before the buffer moves under the batch
	if (o->len > 0 && start != o->buf)
		memmove(o->buf, start, o->len);
}

static void output(struct mon *m, struct mon_output *o)
{
	// A few reads per wakeup: enough for throughput, few enough that
	// one busy stream does not starve the others.
	for (int round = 0; round < 4 && o->fd >= 0; round++) {
		struct timespec now;
		char ts[MON_TS];
		ssize_t n = read(o->fd, o->buf + o->len, sizeof(o->buf) - o->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { // EOF, or EIO: the pty's slave side is closed
			close(o->fd);
			o->fd = -1;
			flush_partial(m, o);
			return;
		}
		mon_broadcast(m, o->stream, o->buf + o->len, (uint32_t)n);
		clock_gettime(CLOCK_REALTIME, &now);
		clock_gettime(CLOCK_MONOTONIC, &o->grown);
		rfc3339(&now, ts);
		log_lines(m, o, (size_t)n, ts);
		if (mon_output_held(m))
			return; // a waited-for client must take this first
	}
}

static void __attribute__((noreturn)) finish(struct mon *m, int record)
{
	int code, sig, fd;
	unsigned char be[4];
	char ts[MON_TS], json[200];

	for (int k = 0; k < 2; k++) {
		if (m->out[k].fd >= 0)
			close(m->out[k].fd);
		flush_partial(m, &m->out[k]);
	}
	close(m->attach);
	unlink("attach.sock");
	if (m->console >= 0)
		unlink("console.sock");
	if (!record)
		_exit(0);
	sig = WIFSIGNALED(m->status) ? WTERMSIG(m->status) : 0;
	code = sig ? 128 + sig : WEXITSTATUS(m->status);
	rfc3339(&m->exited, ts);
	snprintf(json, sizeof(json), "{\"pid\":%d,\"exitCode\":%d,\"signal\":%d,\"time\":\"%s\"}\n",
		 (int)m->init, code, sig, ts);
	fd = open("exit.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t w = write(fd, json, strlen(json));

		close(fd);
		if (w == (ssize_t)strlen(json))
			rename("exit.json.tmp", "exit.json");
	}
	be[0] = (unsigned)code >> 24;
	be[1] = (unsigned)code >> 16;
	be[2] = (unsigned)code >> 8;
	be[3] = (unsigned)code;
	mon_broadcast(m, FR_EXIT, be, sizeof(be));
	for (int i = 0; i < MON_CLIENTS; i++)
		if (m->clients[i].fd >= 0)
			mon_client_drop(&m->clients[i]);
	_exit(0);
}

static int has_children(void)
{
	siginfo_t si;

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

// poll_timeout is when the next idle line flush or the drain deadline is due.
static int poll_timeout(struct mon *m)
{
	struct timespec now;
	long long t = -1;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (int k = 0; k < 2; k++) {
		if (m->out[k].fd >= 0 && m->out[k].len > 0) {
			long long d = IDLE_FLUSH_MS + ms_until(&m->out[k].grown, &now);

			if (d <= 0)
				flush_partial(m, &m->out[k]);
			else if (t < 0 || d < t)
				t = d;
		}
	}
	if (m->init_done) {
		long long d = ms_until(&m->drain_by, &now);

		if (d < 0)
			d = 0;
		if (t < 0 || d < t)
			t = d;
	}
	return (int)t;
}

enum { P_SIG, P_CTL, P_ATTACH, P_CONSOLE, P_CONSOLE_CONN, P_OUT, P_ERR, P_STDIN, P_CLIENTS };

static void __attribute__((noreturn)) run(struct mon *m)
{
	struct pollfd pfd[P_CLIENTS + MON_CLIENTS];

	setup(m);
	for (;;) {
		int timeout = poll_timeout(m), held, out_held;

		if (m->init_done) {
			struct timespec now;

			// Anything sent to console.sock before the exit is queued.
			console_accept(m);
			console_recv(m);
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((m->out[0].fd < 0 && m->out[1].fd < 0) || ms_until(&m->drain_by, &now) <= 0)
				finish(m, 1);
		}
		if (m->ctl < 0 && m->init == 0 && !has_children())
			finish(m, 0); // creation failed and the daemon gave up
		held = mon_input_held(m);
		out_held = mon_output_held(m);
		pfd[P_SIG] = (struct pollfd){ m->sigfd, POLLIN, 0 };
		pfd[P_CTL] = (struct pollfd){ m->ctl, POLLIN, 0 };
		pfd[P_ATTACH] = (struct pollfd){ m->attach, POLLIN, 0 };
		pfd[P_CONSOLE] = (struct pollfd){ m->console, POLLIN, 0 };
		pfd[P_CONSOLE_CONN] = (struct pollfd){ m->console_conn, POLLIN, 0 };
		pfd[P_OUT] = (struct pollfd){ out_held ? -1 : m->out[0].fd, POLLIN, 0 };
		pfd[P_ERR] = (struct pollfd){ out_held ? -1 : m->out[1].fd, POLLIN, 0 };
		pfd[P_STDIN] = (struct pollfd){ m->inlen > 0 ? m->in_w : -1, POLLOUT, 0 };
		for (int i = 0; i < MON_CLIENTS; i++) {
			struct mon_client *c = &m->clients[i];

			short ev = (held || c->rdeof ? 0 : POLLIN) | (c->pendlen > 0 ? POLLOUT : 0);

			// Held input: leave clients out entirely (unless they
			// owe a held output frame), or their POLLHUP would wake
			// us in a loop.
			pfd[P_CLIENTS + i] = (struct pollfd){ held && c->pendlen == 0 ? -1 : c->fd, ev, 0 };
		}
		if (poll(pfd, P_CLIENTS + MON_CLIENTS, timeout) < 0) {
			if (errno == EINTR)
				continue;
			_exit(3); // EFAULT/EINVAL: a bug; nothing sane to do
		}
		if (pfd[P_SIG].revents)
			reap(m);
		if (pfd[P_CTL].revents && m->ctl >= 0)
			control(m);
		if (pfd[P_ATTACH].revents)
			mon_accept(m);
		if (pfd[P_CONSOLE].revents)
			console_accept(m);
		if (pfd[P_CONSOLE_CONN].revents)
			console_recv(m);
		for (int k = 0; k < 2; k++)
			if (pfd[P_OUT + k].revents)
				output(m, &m->out[k]);
		if (pfd[P_STDIN].revents)
			mon_stdin_flush(m);
		for (int i = 0; i < MON_CLIENTS; i++) {
			struct mon_client *c = &m->clients[i];
			short ev = pfd[P_CLIENTS + i].revents;

			if (c->fd < 0 || pfd[P_CLIENTS + i].fd != c->fd || ev == 0)
				continue;
			if ((ev & POLLOUT) && mon_client_send_pending(c) > 0 && m->init_done) {
				// The client keeps up: the output left after the
				// exit is still drained for it.
				clock_gettime(CLOCK_MONOTONIC, &m->drain_by);
				m->drain_by.tv_sec += DRAIN_MS / 1000;
			}
			if (c->fd < 0)
				continue;
			if ((ev & POLLIN) && !held)
				mon_client_read(m, c);
			else if (ev & (POLLHUP | POLLERR | POLLNVAL))
				mon_client_drop(c);
		}
	}
}

__attribute__((constructor)) static void monitor(void)
{
	const char *v = getenv("_CRT_MONITOR");

	if (v == NULL || *v == '\0')
		return;
	run(&M);
}
