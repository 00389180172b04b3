// The process stage (see process.h for its plan and its callers).
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
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

// --- errors -----------------------------------------------------------

// errtext is strerror with Go's lower-case first letter ("no such file or
// directory"), the text the rest of the runtime's errors use.
static const char *errtext(int e, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] += 'a' - 'A';
	return buf;
}

// fail_with sets pr->err to the formatted message, then ": " and the text
// of errnum unless it is 0, and returns -1.
__attribute__((format(printf, 3, 4))) static int fail_with(struct process *pr, int errnum, const char *fmt, ...)
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
static const char *quote(char *buf, size_t n, const char *s)
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

// --- the plan ---------------------------------------------------------

struct reader {
	char *p;
	size_t left;
	int bad;
};

static void take(struct reader *r, void *out, size_t n)
{
	if (r->bad || r->left < n) {
		r->bad = 1;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
}

static uint32_t take32(struct reader *r)
{
	uint32_t v;

	take(r, &v, sizeof(v));
	return v;
}

static uint64_t take64(struct reader *r)
{
	uint64_t v;

	take(r, &v, sizeof(v));
	return v;
}

// take_str returns the next string, which stays in the plan's buffer.
static char *take_str(struct reader *r)
{
	uint32_t n = take32(r);
	char *s = r->p;

	if (r->bad || (size_t)n >= r->left || s[n] != '\0' || memchr(s, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	r->p += (size_t)n + 1;
	r->left -= (size_t)n + 1;
	return s;
}

// take_strs returns the next string list, NULL-terminated.
static char **take_strs(struct reader *r)
{
	uint32_t n = take32(r);
	char **v;

	// Each string takes at least 5 bytes: that bounds the allocation.
	if (r->bad || n > r->left / 5) {
		r->bad = 1;
		return NULL;
	}
	v = calloc((size_t)n + 1, sizeof(*v));
	if (v == NULL) {
		r->bad = 1;
		return NULL;
	}
	for (uint32_t i = 0; i < n && !r->bad; i++)
		v[i] = take_str(r);
	return v;
}

void pp_free(struct process_plan *p)
{
	free(p->groups);
	free(p->rlimits);
	free(p->args);
	free(p->env);
	for (uint32_t i = 0; p->startup != NULL && i < p->nstartup; i++)
		free(p->startup[i]);
	free(p->startup);
	memset(p, 0, sizeof(*p));
}

int pp_decode(char *buf, size_t len, struct process_plan *p, char *err, size_t errlen)
{
	struct reader r = { buf, len, 0 };
	uint16_t size[2];

	memset(p, 0, sizeof(*p));
	if (take32(&r) != PP_MAGIC) {
		snprintf(err, errlen, "process plan: not a plan (bad magic)");
		return -1;
	}
	p->flags = take32(&r);
	p->uid = take32(&r);
	p->gid = take32(&r);
	p->umask = take32(&r);
	p->oom_score_adj = (int32_t)take32(&r);
	p->init_pid = take32(&r);
	take(&r, size, sizeof(size));
	p->rows = size[0];
	p->cols = size[1];
	p->bounding = take64(&r);
	p->effective = take64(&r);
	p->permitted = take64(&r);
	p->inheritable = take64(&r);
	p->ambient = take64(&r);
	p->ngroups = take32(&r);
	if (!r.bad && p->ngroups <= r.left / 4) {
		p->groups = calloc(p->ngroups + 1, sizeof(gid_t));
		for (uint32_t i = 0; p->groups != NULL && i < p->ngroups; i++)
			p->groups[i] = take32(&r);
	}
	if (p->groups == NULL)
		r.bad = 1;
	p->nrlimits = take32(&r);
	if (!r.bad && p->nrlimits <= r.left / 20) {
		p->rlimits = calloc(p->nrlimits + 1, sizeof(*p->rlimits));
		for (uint32_t i = 0; p->rlimits != NULL && i < p->nrlimits; i++) {
			p->rlimits[i].resource = take32(&r);
			p->rlimits[i].soft = take64(&r);
			p->rlimits[i].hard = take64(&r);
		}
	}
	if (p->rlimits == NULL)
		r.bad = 1;
	p->cwd = take_str(&r);
	p->args = take_strs(&r);
	p->env = take_strs(&r);
	p->nstartup = take32(&r);
	if (!r.bad && p->nstartup <= r.left / 4) {
		p->startup = calloc(p->nstartup + 1, sizeof(*p->startup));
		for (uint32_t i = 0; p->startup != NULL && i < p->nstartup; i++)
			p->startup[i] = take_strs(&r);
	}
	if (p->startup == NULL)
		r.bad = 1;
	if (r.bad || r.left != 0 || p->args == NULL || p->args[0] == NULL) {
		snprintf(err, errlen, "process plan: malformed (%zu of %zu bytes read)", len - r.left, len);
		pp_free(p);
		return -1;
	}
	return 0;
}

// read_full reads exactly n bytes from fd.
static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EPIPE;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int pp_read(int fd, struct process *pr)
{
	uint32_t n;
	char *buf;

	if (read_full(fd, &n, sizeof(n)) < 0)
		return fail_with(pr, errno, "reading the process plan");
	if (n == 0 || n > PP_MAX)
		return fail_with(pr, 0, "process plan: bad length %u", n);
	buf = malloc(n);
	if (buf == NULL)
		return fail_with(pr, errno, "process plan: allocating %u bytes", n);
	if (read_full(fd, buf, n) < 0)
		return fail_with(pr, errno, "reading the process plan");
	// buf lives as long as the process: the plan's strings are in it.
	return pp_decode(buf, n, &pr->plan, pr->err, sizeof(pr->err));
}

// --- /proc and descriptors ----------------------------------------------

// open_proc returns an O_PATH descriptor on the container's /proc after
// checking that it is a procfs: no symlink in the image and no directory
// standing in for it can redirect what we look up there.
static int open_proc(struct process *pr)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct statfs st;
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/proc", &how, sizeof(how));

	// A seccomp filter written before openat2 existed (runtime-tools'
	// default, old Docker profiles) refuses it with EPERM. "/proc" is one
	// component under our own root, so O_NOFOLLOW refuses the same
	// symlink and the statfs below the rest.
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail_with(pr, errno, "opening the container's /proc");
	if (fstatfs(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return fail_with(pr, e, "statfs of the container's /proc");
	}
	if (st.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return fail_with(pr, 0, "the container's /proc is not a procfs (type 0x%lx): the spec must mount proc at /proc",
				 (unsigned long)st.f_type);
	}
	return fd;
}

// first_directory_fd returns our lowest descriptor from first up that is a
// directory, -1 if none, or -2 on error; path gets what /proc names it.
static int first_directory_fd(struct process *pr, int first, char *path, size_t pathlen)
{
	int proc, dirfd, found = -1;
	DIR *d;
	struct dirent *e;
	struct stat st;

	snprintf(path, pathlen, "?");
	proc = open_proc(pr);
	if (proc < 0) {
		// A container without /proc (possible for exec): look at every
		// descriptor number the limit allows instead.
		struct rlimit lim;

		if (getrlimit(RLIMIT_NOFILE, &lim) < 0) {
			fail_with(pr, errno, "reading the descriptor limit");
			return -2;
		}
		for (rlim_t fd = (rlim_t)first; fd < lim.rlim_cur && fd < (1 << 20); fd++)
			if (fstat((int)fd, &st) == 0 && S_ISDIR(st.st_mode))
				return (int)fd;
		return -1;
	}
	dirfd = openat(proc, "self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || (d = fdopendir(dirfd)) == NULL) {
		fail_with(pr, errno, "listing our descriptors");
		if (dirfd >= 0)
			close(dirfd);
		close(proc);
		return -2;
	}
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end != '\0' || end == e->d_name || fd < first || fd == dirfd || fd == proc)
			continue;
		if (fstat((int)fd, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (found < 0 || fd < found) {
			char link[64];
			ssize_t n;

			found = (int)fd;
			snprintf(link, sizeof(link), "self/fd/%ld", fd);
			n = readlinkat(proc, link, path, pathlen - 1);
			path[n > 0 ? n : 0] = '\0';
		}
	}
	closedir(d);
	close(proc);
	return found;
}

// release_directory_fds makes sure no directory descriptor of ours is
// open when the working directory is resolved: one held open, from the
// host above all, is what made CVE-2024-21626 possible. The descriptors
// below 3+preserve are the caller's, given to the program on purpose.
//
// A library of the Go init stage may hold such a descriptor for the life
// of the process (filepath-securejoin caches a handle on a private
// procfs mount). So that a later use of a cached number can never reach
// another file that got the number, the descriptor is not closed but
// replaced (dup3) by an eventfd, which no path can be resolved from.
static int release_directory_fds(struct process *pr)
{
	int first = 3 + pr->preserve, ev = -1;
	char path[256];

	for (int tries = 0;; tries++) {
		int fd = first_directory_fd(pr, first, path, sizeof(path));

		if (fd == -2)
			break;
		if (fd == -1) {
			if (ev >= 0)
				close(ev);
			return 0;
		}
		if (tries == 1024 ||
		    (ev < 0 && (ev = eventfd(0, EFD_CLOEXEC)) < 0) ||
		    dup3(ev, fd, O_CLOEXEC) < 0) {
			fail_with(pr, tries == 1024 ? 0 : errno,
				  "descriptor %d is a directory (%s) still open in the container process: refusing to resolve the working directory",
				  fd, path);
			break;
		}
	}
	if (ev >= 0)
		close(ev);
	return -1;
}

// --- the working directory ----------------------------------------------

// The working directory is where CVE-2024-21626 broke runc out of its
// containers: runc held a descriptor on a host directory while it called
// chdir(process.cwd), so a cwd of /proc/self/fd/N (a magic link to that
// descriptor) left the process with its cwd in the host's tree, from which
// "../../.." reached everything. Three things prevent it here:
//
//   - no directory descriptor of ours is open when the cwd is resolved
//     (release_directory_fds);
//   - the cwd is resolved with openat2 from the container's root, with
//     RESOLVE_IN_ROOT (".." and absolute symlinks stay inside) and
//     RESOLVE_NO_MAGICLINKS (no /proc/self/fd/N, /proc/N/cwd, ...), then
//     entered with fchdir;
//   - getcwd must then name a path under "/": a cwd outside the root reads
//     "(unreachable)/..." or fails, and the process is not started.

// clean_path turns cwd into a clean path relative to the root, as Go's
// filepath.Clean("/"+cwd) without its leading slash: "." for the root.
static void clean_path(const char *cwd, char *out, size_t n)
{
	size_t j = 0;
	const char *p = cwd;

	while (*p != '\0') {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			// nothing
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (j > 0 && out[j - 1] != '/')
				j--;
			if (j > 0)
				j--;
		} else if (j + len + 2 < n) {
			if (j > 0)
				out[j++] = '/';
			memcpy(out + j, p, len);
			j += len;
		}
		p = end;
	}
	if (j == 0)
		out[j++] = '.';
	out[j] = '\0';
}

// open_in_root opens the directory rel, resolved inside root, O_PATH.
static int open_in_root(struct process *pr, int root, const char *rel, int *errnum)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	// RESOLVE_IN_ROOT returns EAGAIN when a rename anywhere raced with a
	// ".." lookup; trying again is what the kernel asks.
	do
		fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0) {
		*errnum = errno;
		if (errno == ELOOP)
			fail_with(pr, ELOOP, "resolving \"/%s\" inside the container", rel);
		else
			fail_with(pr, errno, "resolving \"/%s\" inside the container", rel);
		if (errno == ELOOP) {
			size_t n = strlen(pr->err);

			snprintf(pr->err + n, sizeof(pr->err) - n,
				 " (a magic link such as /proc/self/fd/N is refused, as are symlink loops)");
		}
	}
	return fd;
}

// open_cwd returns an O_PATH descriptor on rel resolved inside root,
// creating the missing components one by one (mode 0755, as root), each
// parent resolved inside the root again: a symlink in the image can only
// lead to a directory of the container.
static int open_cwd(struct process *pr, int root, const char *rel)
{
	char prefix[4096];
	int errnum = 0, fd = open_in_root(pr, root, rel, &errnum);
	size_t len = strlen(rel);

	if (fd >= 0 || errnum != ENOENT)
		return fd;
	for (size_t i = 0; i <= len; i++) {
		size_t slash;
		int parent;

		if (rel[i] != '/' && rel[i] != '\0')
			continue;
		memcpy(prefix, rel, i);
		prefix[i] = '\0';
		fd = open_in_root(pr, root, prefix, &errnum);
		if (fd < 0 && errnum == ENOENT) {
			// Create prefix's last component in its parent.
			slash = i;
			while (slash > 0 && prefix[slash - 1] != '/')
				slash--;
			if (slash == 0) {
				parent = dup(root);
			} else {
				prefix[slash - 1] = '\0';
				parent = open_in_root(pr, root, prefix, &errnum);
				prefix[slash - 1] = '/';
			}
			if (parent < 0)
				return -1;
			if (mkdirat(parent, prefix + slash, 0755) < 0 && errno != EEXIST) {
				int e = errno;

				close(parent);
				return fail_with(pr, e, "creating \"/%s\" inside the container", prefix);
			}
			close(parent);
			fd = open_in_root(pr, root, prefix, &errnum);
		}
		if (fd < 0)
			return -1;
		if (rel[i] == '\0')
			return fd;
		close(fd);
	}
	return fail_with(pr, ENOENT, "resolving \"/%s\"", rel);
}

// enter_cwd makes the plan's cwd, resolved inside the current root, the
// working directory.
//
// Preconditions: the root is the container's (after pivot_root, or after
// setns into its mount namespace) and the final mounts are in place, so
// that no later mount can cover the directory we enter.
static int enter_cwd(struct process *pr)
{
	const char *cwd = pr->plan.cwd[0] != '\0' ? pr->plan.cwd : "/";
	char rel[4096], wd[4096], q[4200];
	int root, fd;

	quote(q, sizeof(q), cwd);
	if (release_directory_fds(pr) < 0)
		goto fail;
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		fail_with(pr, errno, "opening the root");
		goto fail;
	}
	clean_path(cwd, rel, sizeof(rel));
	fd = open_cwd(pr, root, rel);
	close(root);
	if (fd < 0)
		goto fail;
	if (fchdir(fd) < 0) {
		int e = errno;

		close(fd);
		fail_with(pr, e, "fchdir");
		goto fail;
	}
	close(fd);
	// getcwd fails with ENOENT, or answers "(unreachable)...", for a
	// directory outside our root.
	if (getcwd(wd, sizeof(wd)) == NULL) {
		fail_with(pr, errno, "the directory entered is not inside the container's root (getcwd");
		size_t n = strlen(pr->err);
		snprintf(pr->err + n, sizeof(pr->err) - n, ")");
		goto fail;
	}
	if (wd[0] != '/') {
		char qw[4200];

		fail_with(pr, 0, "the directory entered is not inside the container's root (getcwd: %s)",
			  quote(qw, sizeof(qw), wd));
		goto fail;
	}
	return 0;
fail:
	// Prefix what failed with the field.
	{
		char why[ERRMAX];

		snprintf(why, sizeof(why), "%s", pr->err);
		return fail_with(pr, 0, "process.cwd %s: %s", q, why);
	}
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

// look_path finds file in the PATH of env and writes it to out.
static int look_path(struct process *pr, const char *file, char *const *env, char *out, size_t n)
{
	char q[4200];
	const char *p;

	quote(q, sizeof(q), file);
	if (strchr(file, '/') != NULL) {
		int e = executable(file);

		if (e == EISDIR)
			return fail_with(pr, 0, "process.args[0] %s: is a directory", q);
		if (e == EACCES)
			return fail_with(pr, 0, "process.args[0] %s: permission denied", q);
		if (e != 0)
			return fail_with(pr, e, "process.args[0] %s", q);
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
	return fail_with(pr, 0, "process.args[0] %s: executable file not found in $PATH", q);
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
static int read_filter(struct process *pr)
{
	struct stat st;
	size_t len;
	char *buf;

	if (pr->seccomp_fd < 0)
		return 0;
	if (fstat(pr->seccomp_fd, &st) < 0)
		return fail_with(pr, errno, "reading the seccomp program");
	if (st.st_size < 4 + (off_t)sizeof(struct sock_filter) || (st.st_size - 4) % sizeof(struct sock_filter) != 0 ||
	    (st.st_size - 4) / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return fail_with(pr, 0, "reading the seccomp program: bad size %lld", (long long)st.st_size);
	len = (size_t)st.st_size;
	buf = malloc(len);
	if (buf == NULL)
		return fail_with(pr, errno, "reading the seccomp program");
	if (pread(pr->seccomp_fd, buf, len, 0) != (ssize_t)len) {
		free(buf);
		return fail_with(pr, errno, "reading the seccomp program");
	}
	memcpy(&pr->filter_flags, buf, 4);
	pr->filter_len = (unsigned short)((len - 4) / sizeof(struct sock_filter));
	pr->filter = (struct sock_filter *)malloc(len - 4);
	if (pr->filter == NULL) {
		free(buf);
		return fail_with(pr, errno, "reading the seccomp program");
	}
	memcpy(pr->filter, buf + 4, len - 4);
	free(buf);
	close(pr->seccomp_fd);
	pr->seccomp_fd = -1;
	return 0;
}

static int load_filter(struct process *pr)
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
	if (look_path(pr, pr->plan.args[0], pr->plan.env, pr->target, sizeof(pr->target)) < 0)
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

// --- startup commands -----------------------------------------------------

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

static int cloexec_from(struct process *pr, int first);

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
		char *const *argv = p->startup[i];
		char path[4096], q[4400], why[ERRMAX];
		long long start;
		pid_t pid;
		int status, e, code;

		quote_list(q, sizeof(q), argv);
		if (argv[0] == NULL)
			return fail_with(pr, 0, "startup command #%u %s: empty command", i + 1, q);
		if (look_path(pr, argv[0], p->env, path, sizeof(path)) < 0) {
			snprintf(why, sizeof(why), "%s", pr->err);
			return fail_with(pr, 0, "startup command #%u %s: %s", i + 1, q, why);
		}
		start = now_ns();
		e = posix_spawn(&pid, path, NULL, NULL, argv, p->env);
		if (e != 0)
			return fail_with(pr, e, "startup command #%u %s", i + 1, q);
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return fail_with(pr, errno, "startup command #%u %s: waiting for it", i + 1, q);
		code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
		if (reportfd >= 0)
			report_startup(reportfd, argv, code, now_ns() - start);
		if (code != 0)
			return fail_with(pr, 0, "startup command #%u %s exited with code %d", i + 1, q, code);
	}
	return 0;
}

// --- the exec -----------------------------------------------------------------

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

int process_exec(struct process *pr)
{
	if (cloexec_from(pr, 3 + pr->preserve) < 0 || process_late(pr) < 0)
		return -1;
	execve(pr->target, pr->plan.args, pr->plan.env);
	{
		char q[4200];

		return fail_with(pr, errno, "executing %s", quote(q, sizeof(q), pr->target));
	}
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
