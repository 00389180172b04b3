// The process stage (see process.h for its plan and its callers): limits,
// the program's lookup, identity, capabilities and seccomp, startup
// commands, the exec fifo, the console and the exec. The plan's decoder is
// plan.c, the working directory cwd.c.
//
// Each function returns 0, or -1 with the reason in pr->err. Messages name
// the spec field at fault and read like the runtime's other errors (Go's
// %q quoting, errno texts in lower case), since they reach the user as
// the error of a create, start or exec.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "process.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#include "stage.h"

// --- errors -----------------------------------------------------------

// errtext is strerror with Go's lower-case first letter ("no such file or
// directory"), the text the rest of the runtime's errors use.
const char *errtext(int e, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] += 'a' - 'A';
	return buf;
}

// fail_with sets pr->err to the formatted message, then ": " and the text
// of errnum unless it is 0, and returns -1.
int fail_with(struct process *pr, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pr->err, sizeof(pr->err), fmt, ap);
	va_end(ap);
	if (errnum != 0 && n >= 0 && (size_t)n < sizeof(pr->err)) {
		char t[128];

		snprintf(pr->err + n, sizeof(pr->err) - n, ": %s", errtext(errnum, t, sizeof(t)));
	}
	return -1;
}

// quote writes s as Go's %q would for a printable string: in double
// quotes, with quotes, backslashes and control bytes escaped.
const char *quote(char *buf, size_t n, const char *s)
{
	size_t j = 0;

	if (n < 3)
		return "\"\"";
	buf[j++] = '"';
	for (; *s != '\0' && j + 6 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[j++] = '\\';
			buf[j++] = c;
		} else if (c < 0x20 || c == 0x7f) {
			j += snprintf(buf + j, n - j, "\\x%02x", c);
		} else {
			buf[j++] = c;
		}
	}
	buf[j++] = '"';
	buf[j] = '\0';
	return buf;
}

// quote_list writes argv as Go's %q of a []string: ["a" "b"].
static const char *quote_list(char *buf, size_t n, char *const *argv)
{
	size_t j = 0;

	buf[j++] = '[';
	for (int i = 0; argv[i] != NULL && j + 8 < n; i++) {
		if (i > 0)
			buf[j++] = ' ';
		quote(buf + j, n - j - 2, argv[i]);
		j += strlen(buf + j);
	}
	buf[j++] = ']';
	buf[j] = '\0';
	return buf;
}


// --- the program ----------------------------------------------------------

// executable checks that path is a file we may execute, as Go's exec
// lookup does: 0 or an errno (EISDIR for a directory).
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if ((st.st_mode & 0111) == 0)
		return EACCES;
	return 0;
}

static const char *envpath(char *const *env)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

	for (int i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	return path;
}

// look_path finds file in the PATH of env and writes it to out. what
// names file in errors ("process.args[0] ", or "" for a startup command,
// whose error names the command).
static int look_path(struct process *pr, const char *what, const char *file, char *const *env, char *out, size_t n)
{
	char q[4200];
	const char *p;

	quote(q, sizeof(q), file);
	if (strchr(file, '/') != NULL) {
		int e = executable(file);

		if (e == EISDIR)
			return fail_with(pr, 0, "%s%s: is a directory", what, q);
		if (e == EACCES)
			return fail_with(pr, 0, "%s%s: permission denied", what, q);
		if (e != 0)
			return fail_with(pr, e, "%s%s", what, q);
		snprintf(out, n, "%s", file);
		return 0;
	}
	p = envpath(env);
	for (;;) {
		const char *end = strchrnul(p, ':');
		int len = (int)(end - p);

		if (len == 0)
			snprintf(out, n, "%s", file);
		else
			snprintf(out, n, "%.*s%s%s", len, p, p[len - 1] == '/' ? "" : "/", file);
		if (executable(out) == 0)
			return 0;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return fail_with(pr, 0, "%s%s: executable file not found in $PATH", what, q);
}

// --- limits -----------------------------------------------------------------

static const char *rlimit_name(uint32_t res)
{
	static const char *names[] = {
		[RLIMIT_CPU] = "RLIMIT_CPU",         [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
		[RLIMIT_DATA] = "RLIMIT_DATA",       [RLIMIT_STACK] = "RLIMIT_STACK",
		[RLIMIT_CORE] = "RLIMIT_CORE",       [RLIMIT_RSS] = "RLIMIT_RSS",
		[RLIMIT_NPROC] = "RLIMIT_NPROC",     [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
		[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK", [RLIMIT_AS] = "RLIMIT_AS",
		[RLIMIT_LOCKS] = "RLIMIT_LOCKS",     [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
		[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
		[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",   [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	};

	return res < sizeof(names) / sizeof(names[0]) && names[res] != NULL ? names[res] : "RLIMIT_?";
}

// set_limits applies oom_score_adj and the rlimits. With may_defer, the
// memory limits that only lower the current ones wait in pr->late for
// process_late: while the Go init stage runs, RLIMIT_AS and RLIMIT_DATA
// bound its runtime too, which maps more memory as it goes on; a limit as
// low as a program may ask killed it at random. Lowering a limit needs no
// privilege, so it can wait until the identity is the process's.
static int set_limits(struct process *pr, int may_defer)
{
	const struct process_plan *p = &pr->plan;

	if (p->flags & PP_OOM) {
		char v[16];
		int fd, n = snprintf(v, sizeof(v), "%d", p->oom_score_adj);

		fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, v, (size_t)n) != n) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			// The kernel answers EACCES to a value below the lowest
			// one the process was given without CAP_SYS_RESOURCE.
			if (e == EACCES && p->oom_score_adj < 0)
				return fail_with(pr, e, "process.oomScoreAdj: writing %s: a negative adjustment needs CAP_SYS_RESOURCE, which the runtime lacks", v);
			return fail_with(pr, e, "process.oomScoreAdj: writing %s", v);
		}
		close(fd);
	}
	pr->late = calloc(p->nrlimits + 1, sizeof(*pr->late));
	if (pr->late == NULL)
		return fail_with(pr, errno, "allocating the late rlimits");
	for (uint32_t i = 0; i < p->nrlimits; i++) {
		const struct pp_rlimit *rl = &p->rlimits[i];
		struct rlimit lim = { rl->soft, rl->hard }, cur = { 0, 0 };

		getrlimit(rl->resource, &cur);
		if (may_defer && (rl->resource == RLIMIT_AS || rl->resource == RLIMIT_DATA) &&
		    rl->hard <= cur.rlim_max && rl->soft <= rl->hard) {
			pr->late[pr->nlate++] = *rl;
			continue;
		}
		if (setrlimit(rl->resource, &lim) < 0) {
			if (errno == EPERM && rl->hard > cur.rlim_max)
				return fail_with(pr, EPERM, "process.rlimits: %s hard limit %llu is above the current %llu and raising it needs CAP_SYS_RESOURCE",
						 rlimit_name(rl->resource), (unsigned long long)rl->hard, (unsigned long long)cur.rlim_max);
			return fail_with(pr, errno, "process.rlimits: setting %s to %llu/%llu", rlimit_name(rl->resource),
					 (unsigned long long)rl->soft, (unsigned long long)rl->hard);
		}
	}
	return 0;
}

// --- seccomp ----------------------------------------------------------------

// read_filter reads the compiled filter from its sealed memfd: a u32 of
// seccomp(2) flags, then the instructions (seccomp.Filter's binary form).
// pread: the descriptor's offset is shared with every stage that has it.
int read_filter(struct process *pr)
{
	struct stat st;
	size_t len;

	if (pr->seccomp_fd < 0)
		return 0;
	if (fstat(pr->seccomp_fd, &st) < 0)
		return fail_with(pr, errno, "reading the seccomp program");
	if (st.st_size < 4 + (off_t)sizeof(struct sock_filter) || (st.st_size - 4) % sizeof(struct sock_filter) != 0 ||
	    (st.st_size - 4) / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return fail_with(pr, 0, "reading the seccomp program: bad size %lld", (long long)st.st_size);
	len = (size_t)st.st_size - 4;
	pr->filter = malloc(len);
	if (pr->filter == NULL)
		return fail_with(pr, errno, "reading the seccomp program");
	if (pread(pr->seccomp_fd, &pr->filter_flags, 4, 0) != 4 ||
	    pread(pr->seccomp_fd, pr->filter, len, 4) != (ssize_t)len) {
		free(pr->filter);
		pr->filter = NULL;
		return fail_with(pr, errno, "reading the seccomp program");
	}
	pr->filter_len = (unsigned short)(len / sizeof(struct sock_filter));
	return 0;
}

int load_filter(struct process *pr)
{
	struct sock_fprog prog = { .len = pr->filter_len, .filter = pr->filter };
	long r;

	if (pr->filter == NULL || pr->filter_loaded)
		return 0;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, pr->filter_flags, &prog);
	if (r < 0 && errno == EACCES)
		return fail_with(pr, EACCES, "loading seccomp filter: seccomp(SECCOMP_SET_MODE_FILTER, 0x%x, %u instructions) (set no_new_privs on this thread first, or hold CAP_SYS_ADMIN)",
				 pr->filter_flags, pr->filter_len);
	if (r < 0)
		return fail_with(pr, errno, "loading seccomp filter: seccomp(SECCOMP_SET_MODE_FILTER, 0x%x, %u instructions)",
				 pr->filter_flags, pr->filter_len);
	// With TSYNC, a positive result is the id of a thread that could not
	// take the filter (it has a filter of its own).
	if (r > 0)
		return fail_with(pr, 0, "loading seccomp filter: thread %ld cannot be synchronized", r);
	pr->filter_loaded = 1;
	return 0;
}

// --- identity and capabilities --------------------------------------------

static const char *cap_name(int c)
{
	static const char *names[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
		"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
		"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
		"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
		"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
		"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
		"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
		"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
		"CAP_CHECKPOINT_RESTORE",
	};

	return c >= 0 && c < (int)(sizeof(names) / sizeof(names[0])) ? names[c] : "CAP_?";
}

// drop_bounding drops from this thread's bounding set every capability
// not in the plan's. Capabilities already absent are not dropped again,
// so a thread without CAP_SETPCAP succeeds when there is nothing to do;
// PR_CAPBSET_READ's EINVAL marks the kernel's last capability.
static int drop_bounding(struct process *pr)
{
	for (int c = 0; c < 64; c++) {
		int in;

		if (pr->plan.bounding & (1ull << c))
			continue;
		in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (in < 0 && errno == EINVAL)
			break;
		if (in < 0)
			return fail_with(pr, errno, "dropping bounding capabilities: prctl(PR_CAPBSET_READ, %s)", cap_name(c));
		if (in == 1 && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return fail_with(pr, errno, "dropping bounding capabilities: prctl(PR_CAPBSET_DROP, %s)", cap_name(c));
	}
	return 0;
}

// set_user switches to the plan's uid, gid and additional gids. glibc's
// wrappers apply them to every thread of the process (the Go init
// stage's included), not only to this one.
static int set_user(struct process *pr)
{
	const struct process_plan *p = &pr->plan;

	if (setgroups(p->ngroups, p->groups) < 0) {
		// setgroups is denied in a user namespace whose setgroups file
		// says deny; an empty list is then what we have anyway.
		if (p->ngroups > 0 || (errno != EPERM && errno != EACCES)) {
			char list[512];
			size_t j = 0;

			list[j++] = '[';
			for (uint32_t i = 0; i < p->ngroups && j < sizeof(list) - 16; i++)
				j += (size_t)snprintf(list + j, sizeof(list) - j, i > 0 ? " %u" : "%u", p->groups[i]);
			snprintf(list + j, sizeof(list) - j, "]");
			return fail_with(pr, errno, "process.user.additionalGids %s: setgroups", list);
		}
	}
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return fail_with(pr, errno, "process.user.gid %u: setresgid", p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return fail_with(pr, errno, "process.user.uid %u: setresuid", p->uid);
	return 0;
}

// set_caps sets this thread's effective, permitted and inheritable sets to
// exactly the plan's in one capset(2), then clears the ambient set and
// raises exactly the plan's. The kernel raises an ambient capability only
// if it is in both the permitted and the inheritable set, and capset
// lowers any ambient capability that falls out of either: ambient last.
static int set_caps(struct process *pr)
{
	const struct process_plan *p = &pr->plan;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)p->effective, (uint32_t)p->permitted, (uint32_t)p->inheritable },
		{ (uint32_t)(p->effective >> 32), (uint32_t)(p->permitted >> 32), (uint32_t)(p->inheritable >> 32) },
	};

	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail_with(pr, errno, "setting capabilities: capset(effective=%#llx, permitted=%#llx, inheritable=%#llx)",
				 (unsigned long long)p->effective, (unsigned long long)p->permitted,
				 (unsigned long long)p->inheritable);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail_with(pr, errno, "setting capabilities: prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	for (int c = 0; c < 64; c++)
		if ((p->ambient & (1ull << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return fail_with(pr, errno, "setting capabilities: prctl(PR_CAP_AMBIENT_RAISE, %s)", cap_name(c));
	return 0;
}

// drop_privileges switches to the process's identity and privileges:
// no_new_privs, the seccomp filter when no_new_privs is off, the bounding
// set, user and groups, the final capability sets and umask, and checks
// that the user may use the working directory that enter_cwd entered.
//
// The order matters. Without no_new_privs, loading a seccomp filter needs
// CAP_SYS_ADMIN, so the filter goes in while we still have it; with
// no_new_privs, process_late loads it as late as possible, so the system
// calls we make until then need not be allowed by it. The bounding set is
// dropped while we are still root; PR_SET_KEEPCAPS keeps the permitted
// set across setresuid so the final sets can be applied exactly after it.
static int drop_privileges(struct process *pr)
{
	const struct process_plan *p = &pr->plan;

	if ((p->flags & PP_NO_NEW_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail_with(pr, errno, "setting no_new_privs");
	if (!(p->flags & PP_NO_NEW_PRIVS) && load_filter(pr) < 0)
		return -1;
	if ((p->flags & PP_CAPS) && drop_bounding(pr) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail_with(pr, errno, "setting keepcaps");
	if (set_user(pr) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return fail_with(pr, errno, "clearing keepcaps");
	if ((p->flags & PP_CAPS) && set_caps(pr) < 0)
		return -1;
	if (p->flags & PP_UMASK)
		umask(p->umask);
	// enter_cwd entered the working directory as root; the user must be
	// able to search it too (chdir checks exec permission on its target).
	if (chdir(".") < 0) {
		char q[4200];

		return fail_with(pr, errno, "process.cwd %s as uid %u", quote(q, sizeof(q), p->cwd), p->uid);
	}
	return 0;
}

int process_enter(struct process *pr)
{
	if (read_filter(pr) < 0)
		return -1;
	// The filter is loaded before the program unless no_new_privs lets it
	// wait (see drop_privileges): limits set after it could be denied.
	if (set_limits(pr, pr->filter == NULL || (pr->plan.flags & PP_NO_NEW_PRIVS)) < 0)
		return -1;
	if (enter_cwd(pr) < 0)
		return -1;
	if (look_path(pr, "process.args[0] ", pr->plan.args[0], pr->plan.env, pr->target, sizeof(pr->target)) < 0)
		return -1;
	return drop_privileges(pr);
}

int process_late(struct process *pr)
{
	for (uint32_t i = 0; i < pr->nlate; i++) {
		const struct pp_rlimit *rl = &pr->late[i];
		struct rlimit lim = { rl->soft, rl->hard };

		if (setrlimit(rl->resource, &lim) < 0)
			return fail_with(pr, errno, "process.rlimits: setting %s to %llu/%llu", rlimit_name(rl->resource),
					 (unsigned long long)rl->soft, (unsigned long long)rl->hard);
	}
	pr->nlate = 0;
	return load_filter(pr);
}

// --- startup commands and the exec --------------------------------------

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// json_str appends s to out as a JSON string.
static size_t json_str(char *out, size_t j, size_t n, const char *s)
{
	if (j + 2 >= n)
		return j;
	out[j++] = '"';
	for (; *s != '\0' && j + 8 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[j++] = '\\';
			out[j++] = c;
		} else if (c < 0x20) {
			j += (size_t)snprintf(out + j, n - j, "\\u%04x", c);
		} else {
			out[j++] = c;
		}
	}
	out[j++] = '"';
	return j;
}

// report_startup writes one result line (runtime.StartupResult) to fd.
static void report_startup(int fd, char *const *argv, int code, long long ns)
{
	char line[8192];
	size_t j = 0;

	j += (size_t)snprintf(line, sizeof(line), "{\"args\":[");
	for (int i = 0; argv[i] != NULL && j < sizeof(line) - 64; i++) {
		if (i > 0)
			line[j++] = ',';
		j = json_str(line, j, sizeof(line) - 64, argv[i]);
	}
	j += (size_t)snprintf(line + j, sizeof(line) - j, "],\"exitCode\":%d,\"durationNs\":%lld}\n", code, ns);
	if (write(fd, line, j) < 0) {
		// The report is advisory: the start goes on without it.
	}
}

// cloexec_from marks every descriptor from first up close-on-exec, so no
// descriptor of ours reaches the program: one close_range(2) (Linux
// 5.11), or each descriptor /proc lists on an older kernel.
static int cloexec_from(struct process *pr, int first)
{
	DIR *d;
	struct dirent *e;

	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return fail_with(pr, errno, "closing descriptors");
	while ((e = readdir(d)) != NULL) {
		long fd = strtol(e->d_name, NULL, 10);

		if (fd >= first && fd != dirfd(d))
			fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

// run_startup runs startup command argv to completion and returns its
// exit code (128+n when killed by signal n), or -1 with the reason in
// pr->err.
static int run_startup(struct process *pr, char *const *argv, int reportfd)
{
	const struct process_plan *p = &pr->plan;
	char path[4096];
	long long start;
	pid_t pid;
	int status, e, code;

	if (argv[0] == NULL)
		return fail_with(pr, 0, "empty command");
	if (look_path(pr, "", argv[0], p->env, path, sizeof(path)) < 0)
		return -1;
	start = now_ns();
	e = posix_spawn(&pid, path, NULL, NULL, argv, p->env);
	if (e != 0)
		return fail_with(pr, e, "spawning %s", path);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_with(pr, errno, "waiting for it");
	code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	if (reportfd >= 0)
		report_startup(reportfd, argv, code, now_ns() - start);
	return code;
}

int process_startup(struct process *pr, int reportfd)
{
	const struct process_plan *p = &pr->plan;

	if (p->nstartup == 0)
		return 0;
	// Startup commands run under the same limits and filter as the
	// program, and are forked from this thread: they inherit its
	// credentials, capabilities and filter, and, like the program, only
	// the descriptors meant for it (not the report pipe, the sync socket
	// or the exec fifo's O_PATH handle, which we inherited open).
	if (cloexec_from(pr, 3 + pr->preserve) < 0 || process_late(pr) < 0)
		return -1;
	for (uint32_t i = 0; i < p->nstartup; i++) {
		int code = run_startup(pr, p->startup[i], reportfd);
		char q[4400], why[ERRMAX];

		if (code == 0)
			continue;
		quote_list(q, sizeof(q), p->startup[i]);
		if (code > 0)
			return fail_with(pr, 0, "startup command #%u %s exited with code %d", i + 1, q, code);
		snprintf(why, sizeof(why), "%s", pr->err);
		return fail_with(pr, 0, "startup command #%u %s: %s", i + 1, q, why);
	}
	return 0;
}

int process_exec(struct process *pr)
{
	char q[4200];

	if (cloexec_from(pr, 3 + pr->preserve) < 0 || process_late(pr) < 0)
		return -1;
	execve(pr->target, pr->plan.args, pr->plan.env);
	return fail_with(pr, errno, "executing %s", quote(q, sizeof(q), pr->target));
}

// --- the exec fifo and the console ------------------------------------------

int open_exec_fifo(struct process *pr, int fifofd)
{
	struct stat want, got;
	char path[64];
	int proc, fd;

	// Reopened through the container's procfs: no host directory is held
	// for it. The fifo is 0622 so that a non-root process user may open
	// it; a process may always look up its own /proc/self/fd entries.
	proc = open_proc(pr);
	if (proc < 0)
		return -1;
	snprintf(path, sizeof(path), "self/fd/%d", fifofd);
	do
		fd = openat(proc, path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	close(proc);
	if (fd < 0)
		return fail_with(pr, errno, "reopening the exec fifo");
	if (fstat(fifofd, &want) < 0 || fstat(fd, &got) < 0) {
		int e = errno;

		close(fd);
		return fail_with(pr, e, "reopening the exec fifo");
	}
	if (want.st_dev != got.st_dev || want.st_ino != got.st_ino) {
		close(fd);
		return fail_with(pr, 0, "reopening the exec fifo: /proc/self/fd/%d is not the exec fifo", fifofd);
	}
	if (write(fd, "", 1) != 1) {
		int e = errno;

		close(fd);
		return fail_with(pr, e, "writing the exec fifo");
	}
	return fd;
}

int console_setup(struct process *pr, int sockfd)
{
	const struct process_plan *p = &pr->plan;
	char name[64];
	unsigned int n;
	int master, slave, unlock = 0;
	struct iovec iov;
	struct msghdr msg = { 0 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct cmsghdr *cm;

	if (sockfd < 0)
		return fail_with(pr, 0, "process.terminal is set but no console socket was passed");
	// A pty of the container's own devpts instance.
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return fail_with(pr, errno, "opening a pty in the container: open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0) {
		int e = errno;

		close(master);
		return fail_with(pr, e, "opening a pty in the container: unlocking it");
	}
	snprintf(name, sizeof(name), "/dev/pts/%u", n);
	// TIOCGPTPEER (Linux 4.13) opens the slave from the master, with no
	// path for the container to redirect.
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		int e = errno;

		close(master);
		return fail_with(pr, e, "opening a pty in the container: open %s", name);
	}
	if (p->flags & PP_CONSOLE_SIZE) {
		struct winsize ws = { .ws_row = p->rows, .ws_col = p->cols };

		if (ioctl(master, TIOCSWINSZ, &ws) < 0) {
			int e = errno;

			close(master);
			close(slave);
			return fail_with(pr, e, "setting the console size");
		}
	}
	// The master goes to the caller with the slave's name as the message,
	// as runc does.
	iov.iov_base = name;
	iov.iov_len = strlen(name);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (sendmsg(sockfd, &msg, 0) < 0) {
		int e = errno;

		close(master);
		close(slave);
		return fail_with(pr, e, "sending the pty master over the console socket");
	}
	close(master);
	close(sockfd);
	for (int fd = 0; fd < 3; fd++) {
		if (dup3(slave, fd, 0) < 0) {
			int e = errno;

			close(slave);
			return fail_with(pr, e, "dup of the pty slave to fd %d", fd);
		}
	}
	close(slave);
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		return fail_with(pr, errno, "making the pty the controlling terminal");
	return 0;
}
