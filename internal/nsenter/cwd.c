// The working directory of the process stage, and the container's /proc
// through which the stage looks at its own descriptors.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "process.h"
#include "stage.h"

// open_proc returns an O_PATH descriptor on the container's /proc after
// checking that it is a procfs: no symlink in the image and no directory
// standing in for it can redirect what we look up there.
int open_proc(struct process *pr)
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
		char t[128];

		*errnum = errno;
		fail_with(pr, 0, "resolving \"/%s\" inside the container: %s%s", rel, errtext(*errnum, t, sizeof(t)),
			  *errnum == ELOOP ? " (a magic link such as /proc/self/fd/N is refused, as are symlink loops)" : "");
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
int enter_cwd(struct process *pr)
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
		char t[128];

		fail_with(pr, 0, "the directory entered is not inside the container's root (getcwd: %s)",
			  errtext(errno, t, sizeof(t)));
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
