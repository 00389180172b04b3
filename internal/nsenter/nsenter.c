// The namespace stage of every container process we start.
//
// Go cannot setns(2) into a mount or user namespace once the Go runtime has
// started threads, and it cannot fork without exec. So, as runc does, this
// constructor runs before the Go runtime exists, while the process still has
// exactly one thread. It does nothing unless _CRT_STAGE is set in the
// environment, which only our parent (package runtime) sets.
//
// Protocol on the sync socket (fd _CRT_SYNCFD), one line per message:
//
//   parent -> stage  {"type":"go"}              proceed
//
// With _CRT_CGROUPFDS (a comma-separated list of descriptors of the
// container's cgroup files, opened by the parent: each v1 hierarchy's
// tasks file, and the v2 cgroup.procs unless we were born in that cgroup),
// the stage moves itself into the cgroups before it reads "go", so before
// it may unshare a cgroup namespace. "0" in a tasks file moves only the
// writing thread, which we are, and so spares the kernel's grace-period
// wait of a process move (runtime/cgroupjoin_linux.go).
//   stage  -> parent {"type":"usermap"}          (only with CLONE_NEWUSER)
//   parent -> stage  {"type":"usermap-ack"}      uid_map/gid_map written
//   stage  -> parent {"type":"pid","pid":N,"times":[E,G,C]}
//                                               the container process; E,
//                                               G, C: when the stage began,
//                                               read "go" and cloned
//                                               (CLOCK_REALTIME, ns), the
//                                               start phases of inspect
//   stage  -> parent {"type":"error","message":"..."} on any failure
//
// With _CRT_PIDPIPE (exec: the descriptor of a pipe), the PID goes to that
// pipe instead, as decimal text and a newline, and the sync socket stays
// silent until the Go stage fails or the target is executed (EOF): the
// parent then waits on the socket once per exec rather than twice.
//
// The stage joins the namespaces listed in _CRT_JOIN ("kind:path" lines;
// user first), unshares those in _CRT_CLONE (decimal clone flags), then
// clones a child with CLONE_PARENT so that the child is a direct child of
// our parent (which can wait for it) and, with a new PID namespace, is its
// PID 1. The stage reports the child's PID and exits; the child returns
// from this constructor into the Go runtime, which runs the init stage.
//
// With _CRT_INIT=1 the child stays here as the container's minimal init
// (see reaper below) and forks the process that returns into the Go
// runtime; the reported PID is the init's. The init confines itself with
// the container process's own limits: its capability bounding set,
// _CRT_INITBOUNDING (hexadecimal, bit n = capability n), and its seccomp
// filter, the sealed memfd _CRT_SECCOMPFD that the process stage reads
// too (process.c, read_filter).
//
// The init applies them before its child may go on (see lock_down), so
// nothing of the container ever runs beside an init that is less
// confined than itself.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "process.h"
#include "stage.h"

#define MAX_JOIN 16

// now_ns is the wall clock in nanoseconds, the clock of Go's time.Now, so
// that the parent can place our timestamps among its own.
static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int syncfd = -1;

// report_error sends msg to the parent as an "error" message, escaped for
// JSON: only quotes, backslashes and control bytes need it. Without a sync
// socket it goes to stderr.
static void report_error(const char *msg)
{
	char out[2 * ERRMAX + 8];
	size_t j = 0;

	for (size_t i = 0; msg[i] != '\0' && j < sizeof(out) - 8; i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c == '"' || c == '\\') {
			out[j++] = '\\';
			out[j++] = c;
		} else if (c < 0x20) {
			j += snprintf(out + j, sizeof(out) - j, "\\u%04x", c);
		} else {
			out[j++] = c;
		}
	}
	out[j] = '\0';
	if (syncfd >= 0)
		dprintf(syncfd, "{\"type\":\"error\",\"message\":\"%s\"}\n", out);
	else
		fprintf(stderr, "%s\n", out);
}

// fail reports a formatted error, prefixed "nsenter: " and followed by
// errno's text, to the parent and exits.
static void fail(const char *fmt, ...)
{
	char msg[512];
	int saved = errno;
	va_list ap;
	size_t n = (size_t)snprintf(msg, sizeof(msg), "nsenter: ");

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (saved != 0) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	report_error(msg);
	_exit(1);
}

// join_cgroups writes "0" (the writer) to each cgroup file descriptor in
// fds (see _CRT_CGROUPFDS) and closes it.
static void join_cgroups(const char *fds)
{
	const char *p = fds;

	while (p != NULL && *p != '\0') {
		char *end;
		long fd;

		errno = 0;
		fd = strtol(p, &end, 10);
		if (end == p || fd < 0 || (*end != ',' && *end != '\0'))
			fail("_CRT_CGROUPFDS %s: not a list of descriptors", fds);
		if (write((int)fd, "0", 1) != 1)
			fail("joining the container's cgroup (descriptor %ld)", fd);
		close((int)fd);
		p = *end == ',' ? end + 1 : end;
	}
}

// expect reads one line from the parent and fails unless it contains want.
// It reads a byte at a time so that nothing meant for the Go stage that
// follows is consumed here.
static void expect(const char *want)
{
	char line[256];
	size_t n = 0;

	for (;;) {
		char c;
		ssize_t r = read(syncfd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			errno = r < 0 ? errno : 0;
			fail("waiting for %s from the parent", want);
		}
		if (c == '\n')
			break;
		if (n < sizeof(line) - 1)
			line[n++] = c;
	}
	line[n] = '\0';
	if (strstr(line, want) == NULL) {
		errno = 0;
		fail("expected %s from the parent, got %s", want, line);
	}
}

static int nstype(const char *kind)
{
	static const struct { const char *name; int flag; } kinds[] = {
		{ "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC },
		{ "uts", CLONE_NEWUTS },   { "network", CLONE_NEWNET },
		{ "pid", CLONE_NEWPID },   { "cgroup", CLONE_NEWCGROUP },
		{ "mount", CLONE_NEWNS },  { "time", 0x00000080 /* CLONE_NEWTIME */ },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, kind) == 0)
			return kinds[i].flag;
	return -1;
}

// join opens every namespace path first (later setns calls, mount above
// all, change how paths resolve), then enters them in the listed order.
// The parent lists the user namespace first: joining it grants the
// capabilities needed to join the others.
static int join(char *list)
{
	struct { int fd; int type; char *path; } ns[MAX_JOIN];
	int n = 0, joined_user = 0;

	for (char *save = NULL, *line = strtok_r(list, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sep = strchr(line, ':');
		if (sep == NULL || n == MAX_JOIN) {
			errno = 0;
			fail("bad namespace entry %s", line);
		}
		*sep = '\0';
		ns[n].type = nstype(line);
		ns[n].path = sep + 1;
		if (ns[n].type < 0) {
			errno = 0;
			fail("unknown namespace kind %s", line);
		}
		ns[n].fd = open(ns[n].path, O_RDONLY | O_CLOEXEC);
		if (ns[n].fd < 0)
			fail("opening %s namespace %s", line, ns[n].path);
		n++;
	}
	for (int i = 0; i < n; i++) {
		if (setns(ns[i].fd, ns[i].type) < 0)
			fail("setns to %s", ns[i].path);
		if (ns[i].type == CLONE_NEWUSER)
			joined_user = 1;
		close(ns[i].fd);
	}
	return joined_user;
}

// become_root makes us uid/gid 0 inside a user namespace we entered, so
// that files we create there belong to the container's root, not to the
// overflow id.
static void become_root(void)
{
	if (setresgid(0, 0, 0) < 0)
		fail("setresgid(0) in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		fail("setresuid(0) in the user namespace");
}

static int env_fd(const char *name);

// init_limits reads what the minimal init confines itself with (see the
// top of this file) into bounding and sc. Without _CRT_INITBOUNDING the
// init keeps only CAP_KILL in its bounding set.
static void init_limits(uint64_t *bounding, struct process *sc)
{
	const char *v = getenv("_CRT_INITBOUNDING");
	char *end;

	*bounding = 1ull << CAP_KILL;
	if (v != NULL && *v != '\0') {
		errno = 0;
		*bounding = strtoull(v, &end, 16);
		if (errno != 0 || *end != '\0')
			fail("init: _CRT_INITBOUNDING %s: not a hexadecimal mask", v);
	}
	memset(sc, 0, sizeof(*sc));
	sc->seccomp_fd = env_fd("_CRT_SECCOMPFD");
	if (read_filter(sc) < 0) {
		errno = 0;
		fail("init: %s", sc->err);
	}
}

// close_from closes every descriptor in [first, last].
static void close_from(unsigned int first, unsigned int last)
{
	if (first > last)
		return;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return;
#endif
	for (long fd = first, max = sysconf(_SC_OPEN_MAX); fd < max && fd <= (long)last; fd++)
		close((int)fd);
}

// close_fds_except closes every descriptor from 3 up but keep1 and keep2.
static void close_fds_except(int keep1, int keep2)
{
	unsigned int lo = keep1 < keep2 ? keep1 : keep2, hi = keep1 < keep2 ? keep2 : keep1;

	close_from(3, lo - 1);
	close_from(lo + 1, hi - 1);
	close_from(hi + 1, ~0U);
}

// lock_down confines the init as much as the container process will be,
// then tells its child (through ready) that it may go on. A root process
// in the container must not find in PID 1 a way around its own limits:
// without this the init was dumpable, unfiltered and kept every bounding
// capability, so such a process could PTRACE_ATTACH to it and make any
// system call the container's seccomp profile refuses.
static void lock_down(uint64_t bounding, struct process *sc, int ready)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2];

	// Nothing of ours stays open in the container; stdio is the target's.
	close_fds_except(syncfd, ready);
	// pivot_root, done later by the init stage, moves the root and working
	// directory of every process of the mount namespace that point at the
	// old root, and only those: a cwd elsewhere on the host would stay a
	// way out of the container.
	if (chdir("/") < 0)
		fail("init: chdir /");
	// Orphans of a container without its own PID namespace come to us too.
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		fail("init: PR_SET_CHILD_SUBREAPER");
	// The container process's bounding set. EINVAL: a capability this
	// kernel does not have.
	for (int c = 0; c <= 63; c++)
		if (!(bounding & (1ull << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			fail("init: dropping capability %d from the bounding set", c);
	// Of the other sets, only CAP_KILL, to forward signals to a target
	// that changed its uid, and only if the container may have it.
	memset(caps, 0, sizeof(caps));
	if (bounding & (1ull << CAP_KILL))
		caps[0].permitted = caps[0].effective = 1u << CAP_KILL;
	if (syscall(SYS_capset, &hdr, caps) < 0)
		fail("init: capset");
	// Not dumpable: ptrace and /proc/1/mem then need CAP_SYS_PTRACE.
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail("init: PR_SET_DUMPABLE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("init: no_new_privs");
	// The container's filter, last: from here on we make only the calls
	// of reap_forever (rt_sigtimedwait, kill, wait4, exit_group) and
	// write and close, which any usable profile allows.
	sc->filter_flags &= SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (load_filter(sc) < 0) {
		errno = 0;
		fail("init: %s", sc->err);
	}
	if (write(ready, "1", 1) != 1)
		fail("init: releasing the container process");
	close(ready);
	close(syncfd);
	syncfd = -1;
}

// reap_forever is the minimal init (like tini): it forwards every signal
// it gets to target, reaps every process reparented to it, and exits with
// target's status (128+n when target was killed by signal n). Every
// signal is already blocked (see start_init) and read with sigwaitinfo.
//
// It is C, not our Go binary re-executed, because the container's root
// usually has neither the dynamic loader nor the libraries our binary
// needs: an execve there fails with ENOENT.
static void __attribute__((noreturn)) reap_forever(pid_t target, sigset_t *all)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(all, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			// Only a seccomp profile that refuses rt_sigtimedwait gets
			// here; spinning would burn a CPU for nothing.
			dprintf(2, "container-runtime init: sigwaitinfo: %s (does the seccomp profile allow rt_sigtimedwait?)\n", strerror(errno));
			_exit(255);
		}
		if (sig != SIGCHLD) {
			kill(target, sig);
			continue;
		}
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);

			if (pid <= 0)
				break;
			if (pid == target)
				_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
}

// start_init makes us the minimal init and returns in its child, the
// container process. Signals are blocked before the fork so that no
// SIGCHLD of the child is lost; the child unblocks them. The child waits
// until the init is locked down.
static void start_init(void)
{
	struct process sc;
	uint64_t bounding;
	sigset_t all, old;
	pid_t target;
	int ready[2];

	init_limits(&bounding, &sc);
	if (pipe2(ready, O_CLOEXEC) < 0)
		fail("init: pipe2");
	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &old) < 0)
		fail("init: sigprocmask");
	target = fork();
	if (target < 0)
		fail("init: fork");
	if (target == 0) {
		char c;
		ssize_t n;

		close(ready[1]);
		free(sc.filter);
		do
			n = read(ready[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1) {
			errno = n < 0 ? errno : 0;
			fail("init: the minimal init exited before it was locked down");
		}
		close(ready[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return;
	}
	close(ready[0]);
	lock_down(bounding, &sc, ready[1]);
	free(sc.filter);
	reap_forever(target, &all);
}

// env_fd returns the descriptor named by environment variable name, or -1.
static int env_fd(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long fd;

	if (v == NULL || *v == '\0')
		return -1;
	fd = strtol(v, &end, 10);
	return *end == '\0' && fd >= 0 ? (int)fd : -1;
}

// enter_init_root makes the root of process pid (a container's init
// without a mount namespace) our own: /proc/PID/root is a magic link to
// exactly that root.
static int enter_init_root(struct process *pr)
{
	char path[64];
	int fd, e;

	snprintf(path, sizeof(path), "/proc/%u/root", pr->plan.init_pid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchdir(fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return fail_with(pr, e, "entering the root of the container's init %u: chroot %s", pr->plan.init_pid, path);
	}
	close(fd);
	return 0;
}

// exec_process is the whole of an exec's container process (the exec
// stage): it reads the process plan that follows "go" on the sync socket
// and becomes the process (process.c). The Go runtime never starts. The
// sync socket is close-on-exec: the parent reads EOF once the program
// runs, or our error before that.
static void __attribute__((noreturn)) exec_process(void)
{
	static struct process pr;

	pr.seccomp_fd = env_fd("_CRT_SECCOMPFD");
	pr.preserve = env_fd("_CRT_PRESERVE");
	if (pr.preserve < 0)
		pr.preserve = 0;
	if (pp_read(syncfd, &pr) < 0)
		goto fail;
	if ((pr.plan.flags & PP_CHROOT_INIT) && enter_init_root(&pr) < 0)
		goto fail;
	if (pr.plan.flags & PP_TERMINAL) {
		if (setsid() < 0) {
			fail_with(&pr, errno, "setsid");
			goto fail;
		}
		if (console_setup(&pr, env_fd("_CRT_CONSOLEFD")) < 0)
			goto fail;
	}
	if (process_enter(&pr) == 0)
		process_exec(&pr);
fail:
	report_error(pr.err);
	_exit(1);
}

__attribute__((constructor)) static void nsenter(void)
{
	const char *stage = getenv("_CRT_STAGE");
	const char *fdstr, *joinstr, *clonestr, *initstr, *pidpipestr;
	int flags = 0, in_user = 0, pidpipe = -1;
	pid_t child;
	long long t_entry, t_go, t_cloned;

	if (stage == NULL || *stage == '\0')
		return;
	t_entry = now_ns();
	fdstr = getenv("_CRT_SYNCFD");
	if (fdstr == NULL) {
		errno = 0;
		fail("_CRT_SYNCFD is not set");
	}
	syncfd = atoi(fdstr);
	clonestr = getenv("_CRT_CLONE");
	if (clonestr != NULL)
		flags = atoi(clonestr);

	pidpipestr = getenv("_CRT_PIDPIPE");
	if (pidpipestr != NULL && *pidpipestr != '\0') {
		char *end;

		errno = 0;
		pidpipe = (int)strtol(pidpipestr, &end, 10);
		if (end == pidpipestr || *end != '\0' || pidpipe < 0)
			fail("_CRT_PIDPIPE %s: not a descriptor", pidpipestr);
	}

	join_cgroups(getenv("_CRT_CGROUPFDS"));
	expect("\"go\"");
	t_go = now_ns();

	joinstr = getenv("_CRT_JOIN");
	if (joinstr != NULL && *joinstr != '\0') {
		char *copy = strdup(joinstr);
		if (copy == NULL)
			fail("strdup");
		in_user = join(copy);
		free(copy);
	}

	if (flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			fail("unshare(CLONE_NEWUSER)");
		// Only a process outside the namespace can write the maps.
		dprintf(syncfd, "{\"type\":\"usermap\"}\n");
		expect("\"usermap-ack\"");
		in_user = 1;
	}
	if (in_user)
		become_root();

	if (flags & ~CLONE_NEWUSER) {
		if (unshare(flags & ~CLONE_NEWUSER) < 0)
			fail("unshare(0x%x)", flags & ~CLONE_NEWUSER);
	}

	// A raw clone behaves like fork but lets us pass CLONE_PARENT. The
	// child needs the PID namespace we unshared or joined, which only
	// applies to children.
	child = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (child < 0)
		fail("clone(CLONE_PARENT)");
	if (child == 0) {
		if (pidpipe >= 0)
			close(pidpipe);
		initstr = getenv("_CRT_INIT");
		if (initstr != NULL && strcmp(initstr, "1") == 0)
			start_init();
		if (strcmp(stage, "exec") == 0)
			exec_process();
		return; // into the Go runtime, which runs the init stage
	}
	t_cloned = now_ns();
	if (pidpipe >= 0)
		dprintf(pidpipe, "%d\n", child);
	else
		dprintf(syncfd, "{\"type\":\"pid\",\"pid\":%d,\"times\":[%lld,%lld,%lld]}\n",
			child, t_entry, t_go, t_cloned);
	_exit(0);
}
