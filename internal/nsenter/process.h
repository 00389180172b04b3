// The process stage: what turns a process that is already in a
// container's namespaces, on the container's final root, into the
// container's process. An exec runs it from the constructor (nsenter.c)
// and never starts the Go runtime; the Go init stage calls it through cgo
// (process.go) once its mounts are done.
//
// Its input is a process plan, which the parent computes once (Go:
// EncodePlan in process.go, the only encoder). All integers are in host
// byte order; a string is a u32 length, its bytes and a NUL byte (which
// the length does not count); a string list is a u32 count, then the
// strings.
//
//   u32  magic          PP_MAGIC
//   u32  flags          PP_* below
//   u32  uid, gid
//   u32  umask          (PP_UMASK)
//   i32  oom_score_adj  (PP_OOM)
//   u32  init_pid       whose root an exec enters (PP_CHROOT_INIT)
//   u16  rows, cols     the console's size (PP_CONSOLE_SIZE)
//   u64  bounding, effective, permitted, inheritable, ambient
//                       capability sets, bit n = capability n (PP_CAPS)
//   u32  count, then count u32   additional gids
//   u32  count, then count of { u32 resource, u64 soft, u64 hard }
//                       rlimits, resource as in setrlimit(2)
//   str  cwd
//   strs args
//   strs env
//   u32  count, then count string lists: the startup commands
//
// Nothing follows. Every capability name, rlimit type and identity was
// checked by the encoder; the decoder only checks that the plan is well
// formed, since it comes from our parent.
#ifndef CRT_PROCESS_H
#define CRT_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>

#define PP_MAGIC 0x31505243u // "CRP1"

enum {
	PP_TERMINAL = 1 << 0,
	PP_NO_NEW_PRIVS = 1 << 1,
	PP_CAPS = 1 << 2, // without it the capability sets are left alone
	PP_UMASK = 1 << 3,
	PP_OOM = 1 << 4,
	PP_CHROOT_INIT = 1 << 5, // exec into a container without a mount namespace
	PP_CONSOLE_SIZE = 1 << 6,
};

struct pp_rlimit {
	uint32_t resource;
	uint64_t soft, hard;
};

struct process_plan {
	uint32_t flags;
	uint32_t uid, gid, umask;
	int32_t oom_score_adj;
	uint32_t init_pid;
	uint16_t rows, cols;
	uint64_t bounding, effective, permitted, inheritable, ambient;
	uint32_t ngroups;
	gid_t *groups;
	uint32_t nrlimits;
	struct pp_rlimit *rlimits;
	const char *cwd;
	char **args; // NULL-terminated, at least one
	char **env;  // NULL-terminated
	uint32_t nstartup;
	char ***startup; // nstartup NULL-terminated lists
};

// The largest plan accepted.
#define PP_MAX (64u << 20)

// ERRMAX bounds an error message of the process stage.
#define ERRMAX 2048

// A process stage: its plan and what it has done so far.
struct process {
	struct process_plan plan;
	int preserve;   // descriptors from 3 on that belong to the program
	int seccomp_fd; // sealed memfd of the compiled filter (-1: none)
	struct sock_filter *filter;
	unsigned short filter_len;
	unsigned int filter_flags;
	int filter_loaded;
	// late are the rlimits that wait until just before the program runs
	// (see set_limits).
	struct pp_rlimit *late;
	uint32_t nlate;
	char target[4096]; // the program, looked up in the plan's PATH
	char err[ERRMAX];  // what failed, when a function returns -1
};

// pp_decode decodes the plan in buf (which must outlive it) into p; its
// strings point into buf. It returns -1 and a message in err if buf is
// not a well-formed plan.
int pp_decode(char *buf, size_t len, struct process_plan *p, char *err, size_t errlen);

// pp_free frees what pp_decode allocated (not the buffer).
void pp_free(struct process_plan *p);

// pp_read reads a plan sent on fd as a u32 length and the plan.
int pp_read(int fd, struct process *pr);

// console_setup makes a pty from the container's devpts, sends its
// master over sockfd and makes its slave our stdio and controlling
// terminal.
int console_setup(struct process *pr, int sockfd);

// read_filter reads the compiled seccomp filter from pr->seccomp_fd (a
// u32 of seccomp(2) flags, then the instructions: seccomp.Filter's binary
// form), if there is one; the descriptor stays open. load_filter loads it,
// once.
int read_filter(struct process *pr);
int load_filter(struct process *pr);

// process_enter sets the plan's limits, enters its working directory,
// looks its program up and takes its identity and capabilities: the end of
// the setup of an init and of an exec alike. A bad user or cwd thus fails
// before the parent is told the process is ready.
int process_enter(struct process *pr);

// process_late applies what process_enter left for the last moment: the
// lowering rlimits, and the seccomp filter under no_new_privs. It is
// idempotent.
int process_late(struct process *pr);

// process_startup runs the plan's startup commands, each to completion;
// one JSON result line per command goes to reportfd (-1: none).
int process_startup(struct process *pr, int reportfd);

// process_exec executes the program; it returns only on failure.
int process_exec(struct process *pr);

// open_exec_fifo reopens for writing, through the container's procfs, the
// exec fifo that fifofd (O_PATH) names, checks it is that fifo, and writes
// the byte that tells Start we are waiting. It returns the new descriptor.
int open_exec_fifo(struct process *pr, int fifofd);

#endif
