// What the files of the process stage (process.c, plan.c, cwd.c) share
// besides process.h: error formatting and the container's /proc.
#ifndef CRT_STAGE_H
#define CRT_STAGE_H

#include <stddef.h>

#include "process.h"

// errtext is strerror with Go's lower-case first letter.
const char *errtext(int e, char *buf, size_t n);

// fail_with sets pr->err to the formatted message, then ": " and the text
// of errnum unless it is 0, and returns -1.
__attribute__((format(printf, 3, 4))) int fail_with(struct process *pr, int errnum, const char *fmt, ...);

// quote writes s as Go's %q would for a printable string.
const char *quote(char *buf, size_t n, const char *s);

// open_proc returns an O_PATH descriptor on the container's /proc, checked
// to be a procfs.
int open_proc(struct process *pr);

// enter_cwd makes the plan's cwd, resolved inside the current root, the
// working directory (cwd.c).
int enter_cwd(struct process *pr);

#endif
