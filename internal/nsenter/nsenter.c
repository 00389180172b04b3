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
//   parent -> stage  {"type":"go"}              cgroup is ready, proceed
//   stage  -> parent {"type":"usermap"}          (only with CLONE_NEWUSER)
//   parent -> stage  {"type":"usermap-ack"}      uid_map/gid_map written
//   stage  -> parent {"type":"pid","pid":N}      the container process
//   stage  -> parent {"type":"error","message":"..."} on any failure
//
// The stage joins the namespaces listed in _CRT_JOIN ("kind:path" lines;
// user first), unshares those in _CRT_CLONE (decimal clone flags), then
// clones a child with CLONE_PARENT so that the child is a direct child of
// our parent (which can wait for it) and, with a new PID namespace, is its
// PID 1. The stage reports the child's PID and exits; the child returns
// from this constructor into the Go runtime, which runs the init stage.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_JOIN 16

static int syncfd = -1;

// fail reports a formatted error to the parent and exits. The message is
// escaped for JSON: only quotes, backslashes and control bytes need it.
static void fail(const char *fmt, ...)
{
	char msg[512], out[1100];
	int saved = errno;
	va_list ap;
	size_t j = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (saved != 0) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
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
		dprintf(syncfd, "{\"type\":\"error\",\"message\":\"nsenter: %s\"}\n", out);
	else
		fprintf(stderr, "nsenter: %s\n", out);
	_exit(1);
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

__attribute__((constructor)) static void nsenter(void)
{
	const char *stage = getenv("_CRT_STAGE");
	const char *fdstr, *joinstr, *clonestr;
	int flags = 0, in_user = 0;
	pid_t child;

	if (stage == NULL || *stage == '\0')
		return;
	fdstr = getenv("_CRT_SYNCFD");
	if (fdstr == NULL) {
		errno = 0;
		fail("_CRT_SYNCFD is not set");
	}
	syncfd = atoi(fdstr);
	clonestr = getenv("_CRT_CLONE");
	if (clonestr != NULL)
		flags = atoi(clonestr);

	expect("\"go\"");

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
	if (child == 0)
		return; // into the Go runtime, which runs the init or exec stage
	dprintf(syncfd, "{\"type\":\"pid\",\"pid\":%d}\n", child);
	_exit(0);
}
