// Shared declarations of the monitor's C files (see monitor.c for the
// overview and the protocol). Every function is prefixed mon_ so that
// nothing clashes with other C code linked into the same binary.
#ifndef CRT_MONITOR_H
#define CRT_MONITOR_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

// A log entry holds at most this much content; longer lines are split
// into partial ("P") entries. It is also the size of one read of output,
// so an attach frame carries at most this much.
#define MON_LINE 16384
// Attach connections served at once; more are refused (closed at once).
#define MON_CLIENTS 64
// Log entries gathered into one writev(2).
#define MON_BATCH 64
// Room for a formatted timestamp (35 bytes are used).
#define MON_TS 72

// Frame streams (api/stream.go).
enum { FR_STDIN = 0, FR_STDOUT = 1, FR_STDERR = 2, FR_RESIZE = 3, FR_CLOSESTDIN = 4, FR_EXIT = 5, FR_WAITFOR = 6 };

// One source of container output: a pipe, or the pty master.
struct mon_output {
	int fd;                // nonblocking; -1 once at EOF
	unsigned char stream;  // FR_STDOUT or FR_STDERR
	size_t len;            // bytes of an unfinished line at the start of buf
	struct timespec grown; // CLOCK_MONOTONIC time buf last grew
	char buf[MON_LINE];
};

// One attach connection and where it stands in the frame it is sending.
struct mon_client {
	int fd;                // nonblocking; -1: free slot
	int rdeof;             // the client shut its sending side down
	unsigned char hdr[8];  // header of the frame being read
	size_t hdrlen;         // header bytes read so far
	uint32_t left;         // payload bytes of that frame not read yet
	unsigned char ctl[4];  // payload of a resize frame
	size_t ctllen;
	// waitfor: the client asked (FR_WAITFOR) to lose no output. The part
	// of a frame its socket could not take waits in pend, and no output
	// is read until it is sent: the container then blocks on its
	// stdout, as a slow attached client blocks it in Docker.
	int waitfor;
	char pend[8 + MON_LINE];
	size_t pendoff, pendlen;
};

// The CRI log file, written in batches.
struct mon_log {
	int fd;                // O_APPEND; -1 when it could not be (re)opened
	const char *path;
	long long size;        // bytes in the current file
	long long max;         // rotate before a write would pass this
	int files;             // files kept, the current one included
	int n;                 // entries in the batch
	long long pending;     // bytes in the batch
	struct iovec iov[3 * MON_BATCH];
	char hdr[MON_BATCH][MON_TS + 16];
};

struct mon {
	int ctl;               // control socket (SOCK_SEQPACKET); -1 once closed
	int sigfd;             // signalfd for SIGCHLD
	int attach;            // listening attach.sock
	int console;           // listening console.sock (tty only); -1 once used
	int console_conn;      // accepted console.sock connection awaiting the master, or -1
	int tty;
	int in_w;              // stdin pipe write end or a dup of the pty master; -1
	int child_fd[3];       // the child's stdio pipe ends; -1 for /dev/null
	struct mon_output out[2];
	// Stdin bytes read from a client but not yet taken by the container.
	// While any are held, no client is read (backpressure).
	char inbuf[MON_LINE];
	size_t inoff, inlen;
	struct winsize ws;     // last resize, applied when the master arrives
	int ws_set;
	struct mon_client clients[MON_CLIENTS];
	struct mon_log log;
	pid_t stage;           // the launched process; 0 before LAUNCH, -1 once reaped
	pid_t init;            // the child the stage left (find_init); 0 until known
	int init_done;         // the init was reaped
	int status;            // its wait status
	struct timespec exited;  // CLOCK_REALTIME of its exit
	struct timespec drain_by; // CLOCK_MONOTONIC deadline for the last output
};

// monitor.c
void mon_reply(struct mon *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// launch.c
void mon_launch(struct mon *m, char *buf, size_t len, char **ptrs, size_t ptrcap, const int *fds,
		int nfds, int cgroupfd);

// logfile.c
int mon_log_open(struct mon_log *l);
void mon_log_add(struct mon_log *l, unsigned char stream, int partial, const char *ts,
		 const char *data, size_t len);
void mon_log_flush(struct mon_log *l);

// attach.c
void mon_accept(struct mon *m);
void mon_broadcast(struct mon *m, unsigned char stream, const void *data, uint32_t len);
void mon_client_read(struct mon *m, struct mon_client *c);
void mon_client_drop(struct mon_client *c);
void mon_stdin_flush(struct mon *m);
void mon_stdin_close(struct mon *m);
void mon_resize(struct mon *m);
int mon_input_held(struct mon *m);
int mon_output_held(struct mon *m);
int mon_client_send_pending(struct mon_client *c);
void mon_client_drain(struct mon_client *c, int ms);

#endif
