// The container's log file, in the CRI format read by ReadLogs (logs.go):
//
//   2024-05-01T10:00:00.123456789Z stdout F a whole line
//   2024-05-01T10:00:00.123456789Z stderr P part of a longer line
//
// one entry per line of output. "F" entries hold a full line without its
// newline; "P" entries hold part of one (a line longer than MON_LINE, or
// output that ends without a newline), and the next entry of the stream
// continues it. Entries are gathered in a batch and written with one
// writev(2) on an O_APPEND descriptor, so a reader never sees entries
// interleaved.
//
// Rotation keeps the disk use bounded: before a write would make the file
// exceed max bytes, path.N-1 becomes path.N, ..., path becomes path.1 and
// a new path is started, so at most `files` files exist (path.files-1 is
// overwritten by the rename). With files == 1 the file is truncated. One
// entry alone is never split, so a file may pass max by one entry.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int mon_log_open(struct mon_log *l)
{
	struct stat st;

	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return -1;
	l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

static void rotate(struct mon_log *l)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (l->fd >= 0 && l->files <= 1 && ftruncate(l->fd, 0) == 0) {
		l->size = 0;
		return;
	}
	for (int i = l->files - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", l->path);
		else
			snprintf(from, sizeof(from), "%s.%d", l->path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", l->path, i);
		rename(from, to); // ENOENT: fewer files so far
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
	l->size = 0;
}

// mon_log_flush writes the batch. A failed write (disk full) drops the
// rest of the batch: the container must never wait for its log.
void mon_log_flush(struct mon_log *l)
{
	struct iovec *iov = l->iov;
	int cnt = 3 * l->n;

	if (l->fd < 0 && l->n > 0)
		mon_log_open(l); // retry after a failed rotation
	while (cnt > 0 && l->fd >= 0) {
		ssize_t w = writev(l->fd, iov, cnt > IOV_MAX ? IOV_MAX : cnt);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		l->size += w;
		// Skip what was written; a short write leaves us mid-vector.
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= w;
		}
	}
	l->n = 0;
	l->pending = 0;
}

// mon_log_add queues one entry. data must stay valid until the next
// mon_log_flush, which the caller runs before reusing its buffer.
void mon_log_add(struct mon_log *l, unsigned char stream, int partial, const char *ts,
		 const char *data, size_t len)
{
	int h;
	long long total;

	h = snprintf(l->hdr[l->n], sizeof(l->hdr[0]), "%s %s %c ", ts,
		     stream == FR_STDERR ? "stderr" : "stdout", partial ? 'P' : 'F');
	if (h < 0 || (size_t)h >= sizeof(l->hdr[0]))
		return;
	total = h + (long long)len + 1;
	if (l->size + l->pending > 0 && l->size + l->pending + total > l->max) {
		mon_log_flush(l);
		rotate(l);
	}
	l->iov[3 * l->n] = (struct iovec){ l->hdr[l->n], (size_t)h };
	l->iov[3 * l->n + 1] = (struct iovec){ (void *)data, len };
	l->iov[3 * l->n + 2] = (struct iovec){ "\n", 1 };
	l->n++;
	l->pending += total;
	if (l->n == MON_BATCH)
		mon_log_flush(l);
}
