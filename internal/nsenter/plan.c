// The process plan's decoder (format in process.h). The plan comes from
// our parent, which encoded it (nsenter.EncodePlan); the decoder still
// checks every length against what is left, so that a malformed plan is
// an error, never a read out of bounds (FuzzDecodePlan).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process.h"
#include "stage.h"

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
