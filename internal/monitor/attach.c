// Attach clients: connections accepted on attach.sock, speaking the api
// package's frames (8-byte header: stream, three zero bytes, big-endian
// uint32 payload size; then the payload).
//
//   monitor -> client  1 stdout, 2 stderr  output as it is read (<= 16 KiB)
//                      5 exit              int32 exit code, then close
//   client -> monitor  0 stdin             bytes for the container's stdin
//                      3 resize            uint16 rows, uint16 cols (tty)
//                      4 close stdin       closes the stdin pipe (no-op with a tty)
//                      6 wait for me       (no payload) lose no output for me
//                      other               read and ignored
//
// A client only receives output produced after it connected (logs hold
// the past). Sockets are nonblocking and output is sent with one
// sendmsg(2) per frame: a client whose socket cannot take a whole frame
// at once (it stopped reading and its buffer is full) is disconnected,
// so that it never delays the container, the log, or the other clients.
// Except a client that sent "wait for me" (the daemon relaying to an
// attached user): the rest of its frame is kept, and no output is read
// until it took it, so the container blocks on its stdout instead of
// the user losing output (Docker's back-pressure on attach).
// Stdin goes the other way: while the container has not taken the stdin
// bytes read so far, no client is read at all, and the pressure reaches
// the clients' sockets instead of our memory. With a tty, clients are
// not read either until the pty master has arrived.
#include "monitor.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// Bytes of kernel buffer per client: room for bursts of output while the
// reader (the daemon's relay, usually) catches up. It is kernel memory,
// used only while a client lags. SO_SNDBUFFORCE (root) passes
// net.core.wmem_max, to which SO_SNDBUF is capped otherwise.
#define CLIENT_SNDBUF (4 << 20)

void mon_accept(struct mon *m)
{
	for (;;) {
		int fd = accept4(m->attach, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;
		int sz = CLIENT_SNDBUF;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; // EAGAIN, or out of descriptors: retry on the next poll
		}
		for (i = 0; i < MON_CLIENTS && m->clients[i].fd >= 0; i++)
			;
		if (i == MON_CLIENTS) {
			close(fd);
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		memset(&m->clients[i], 0, sizeof(m->clients[i]));
		m->clients[i].fd = fd;
	}
}

void mon_client_drop(struct mon_client *c)
{
	char sink[512];

	// Read what the client sent: closing a unix socket with unread data
	// makes the peer's next read fail with ECONNRESET instead of EOF.
	// Bounded: a client that keeps writing must not hold us here.
	for (int i = 0; i < 64 && read(c->fd, sink, sizeof(sink)) > 0; i++)
		;
	close(c->fd);
	c->fd = -1;
}

void mon_broadcast(struct mon *m, unsigned char stream, const void *data, uint32_t len)
{
	unsigned char hdr[8] = { stream, 0, 0, 0, len >> 24, len >> 16, len >> 8, len };
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)data, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	for (int i = 0; i < MON_CLIENTS; i++) {
		struct mon_client *c = &m->clients[i];
		ssize_t w;

		if (c->fd < 0)
			continue;
		// Output is not read while a waited-for client holds a frame,
		// but the exit frame comes regardless: send what is held first.
		if (c->waitfor && c->pendlen > 0)
			mon_client_drain(c, 2000);
		if (c->fd < 0)
			continue;
		do
			w = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (w < 0 && errno == EINTR);
		if (w == (ssize_t)(sizeof(hdr) + len))
			continue;
		if (c->waitfor && (w >= 0 || errno == EAGAIN) && sizeof(hdr) + len <= sizeof(c->pend)) {
			size_t sent = w < 0 ? 0 : (size_t)w, total = sizeof(hdr) + len;

			if (sent < sizeof(hdr))
				memcpy(c->pend, hdr + sent, sizeof(hdr) - sent);
			c->pendlen = 0;
			if (sent < sizeof(hdr)) {
				c->pendlen = sizeof(hdr) - sent;
				memcpy(c->pend + c->pendlen, data, len);
				c->pendlen += len;
			} else {
				memcpy(c->pend, (const char *)data + (sent - sizeof(hdr)), total - sent);
				c->pendlen = total - sent;
			}
			c->pendoff = 0;
			continue;
		}
		// A short write would leave half a frame on the stream: drop.
		mon_client_drop(c);
	}
}

// mon_client_send_pending sends what a waited-for client's socket takes
// of its held frame; 1 once nothing is held, 0 if some is, -1 if the
// client was dropped.
int mon_client_send_pending(struct mon_client *c)
{
	while (c->fd >= 0 && c->pendlen > 0) {
		ssize_t w = send(c->fd, c->pend + c->pendoff, c->pendlen, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return 0;
		if (w <= 0) {
			mon_client_drop(c);
			return -1;
		}
		c->pendoff += w;
		c->pendlen -= w;
	}
	return c->fd < 0 ? -1 : 1;
}

// mon_client_drain waits up to ms for a waited-for client to take its
// held frame, and drops it if it does not.
void mon_client_drain(struct mon_client *c, int ms)
{
	while (c->fd >= 0 && c->pendlen > 0) {
		struct pollfd p = { c->fd, POLLOUT, 0 };
		int r = poll(&p, 1, ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || mon_client_send_pending(c) < 0) {
			if (c->fd >= 0)
				mon_client_drop(c);
			return;
		}
	}
}

// mon_output_held tells whether output must not be read now: a
// waited-for client has not taken its last frame yet.
int mon_output_held(struct mon *m)
{
	for (int i = 0; i < MON_CLIENTS; i++)
		if (m->clients[i].fd >= 0 && m->clients[i].pendlen > 0)
			return 1;
	return 0;
}

void mon_stdin_close(struct mon *m)
{
	if (m->tty)
		return; // the master is the terminal itself; EOF is the user's ^D
	if (m->in_w >= 0)
		close(m->in_w);
	m->in_w = -1;
	m->inlen = m->inoff = 0;
}

// mon_stdin_flush gives the container what it will take of the held
// stdin bytes. A stdin that is gone (EPIPE, EIO) discards them.
void mon_stdin_flush(struct mon *m)
{
	while (m->inlen > 0) {
		ssize_t w = m->in_w < 0 ? -1 : write(m->in_w, m->inbuf + m->inoff, m->inlen);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			if (m->in_w >= 0)
				close(m->in_w);
			m->in_w = -1;
			m->inlen = m->inoff = 0;
			return;
		}
		m->inoff += w;
		m->inlen -= w;
	}
	m->inoff = 0;
}

// mon_input_held tells whether clients must not be read now: the
// container has not taken the stdin bytes held, or, with a tty, the
// master has not arrived yet (input sent before it must not be lost).
int mon_input_held(struct mon *m)
{
	return m->inlen > 0 || (m->tty && m->console >= 0);
}

void mon_resize(struct mon *m)
{
	if (m->tty && m->ws_set && m->in_w >= 0)
		ioctl(m->in_w, TIOCSWINSZ, &m->ws);
}

static void frame_done(struct mon *m, struct mon_client *c)
{
	if (c->hdr[0] == FR_RESIZE && c->ctllen == 4) {
		m->ws.ws_row = (unsigned short)(c->ctl[0] << 8 | c->ctl[1]);
		m->ws.ws_col = (unsigned short)(c->ctl[2] << 8 | c->ctl[3]);
		m->ws_set = 1;
		mon_resize(m);
	} else if (c->hdr[0] == FR_CLOSESTDIN) {
		mon_stdin_close(m);
	} else if (c->hdr[0] == FR_WAITFOR) {
		c->waitfor = 1;
	}
	c->hdrlen = 0;
	c->ctllen = 0;
}

// mon_client_read reads whatever the client sent, frame by frame, until
// its socket is empty or the container's stdin is full.
void mon_client_read(struct mon *m, struct mon_client *c)
{
	while (c->fd >= 0 && !mon_input_held(m)) {
		char sink[256];
		void *dst;
		size_t want;
		ssize_t n;

		if (c->hdrlen < sizeof(c->hdr)) {
			dst = c->hdr + c->hdrlen;
			want = sizeof(c->hdr) - c->hdrlen;
		} else if (c->hdr[0] == FR_STDIN && m->in_w >= 0) {
			dst = m->inbuf;
			want = c->left < sizeof(m->inbuf) ? c->left : sizeof(m->inbuf);
		} else if (c->hdr[0] == FR_RESIZE && c->ctllen < sizeof(c->ctl)) {
			dst = c->ctl + c->ctllen;
			want = sizeof(c->ctl) - c->ctllen;
			if (want > c->left)
				want = c->left;
		} else {
			dst = sink; // stdin with no stdin, or ignored payload
			want = c->left < sizeof(sink) ? c->left : sizeof(sink);
		}
		n = read(c->fd, dst, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n == 0) {
			c->rdeof = 1; // keep sending output until it hangs up
			return;
		}
		if (n < 0) {
			mon_client_drop(c);
			return;
		}
		if (c->hdrlen < sizeof(c->hdr)) {
			c->hdrlen += n;
			if (c->hdrlen == sizeof(c->hdr)) {
				c->left = (uint32_t)c->hdr[4] << 24 | (uint32_t)c->hdr[5] << 16 |
					  (uint32_t)c->hdr[6] << 8 | c->hdr[7];
				if (c->left == 0)
					frame_done(m, c);
			}
			continue;
		}
		c->left -= n;
		if (dst == m->inbuf) {
			m->inoff = 0;
			m->inlen = n;
			mon_stdin_flush(m);
		} else if (dst != sink) {
			c->ctllen += n;
		}
		if (c->left == 0)
			frame_done(m, c);
	}
}
