package monitor

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// maxSockPath is the size of sockaddr_un.sun_path, NUL included.
const maxSockPath = 108

// AttachConn is a connection to a monitor's attach.sock. It receives the
// container's output produced from now on (api.Stdout, api.Stderr
// frames), then one api.Exit frame when the container exits. The monitor
// disconnects a client that does not keep up with the output.
type AttachConn struct {
	c   *net.UnixConn
	r   *bufio.Reader
	buf []byte
	mu  sync.Mutex // serialises frames written by several goroutines
}

// Attach connects to the monitor whose runtime dir is dir. It fails with
// an error wrapping errdefs.ErrNotFound when no monitor runs there (the
// container exited, or never started).
func Attach(ctx context.Context, dir string) (*AttachConn, error) {
	p := filepath.Join(dir, "attach.sock")
	addr := p
	if len(p) >= maxSockPath {
		// Too long for sockaddr_un: go through an O_PATH handle of dir.
		fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("attaching to %s: opening %s: %w", p, dir, err)
		}
		defer unix.Close(fd)
		addr = fmt.Sprintf("/proc/self/fd/%d/attach.sock", fd)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", addr)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ECONNREFUSED) {
		return nil, fmt.Errorf("attaching to %s: no monitor is running: %w", p, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("attaching to %s: %w", p, err)
	}
	uc := c.(*net.UnixConn)
	return &AttachConn{c: uc, r: bufio.NewReaderSize(uc, 64<<10)}, nil
}

// ReadFrame returns the next frame: api.Stdout or api.Stderr with the
// output, or api.Exit with the exit code as a big-endian int32 (see
// ExitCode). The payload is valid until the next call.
func (a *AttachConn) ReadFrame() (stream byte, payload []byte, err error) {
	stream, payload, err = api.ReadFrame(a.r, a.buf)
	if cap(payload) > cap(a.buf) {
		a.buf = payload[:0]
	}
	return stream, payload, err
}

// ExitCode decodes the payload of an api.Exit frame.
func ExitCode(payload []byte) (int, error) {
	code, err := api.ParseExit(payload)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", err, errdefs.ErrInvalidArgument)
	}
	return code, nil
}

// write sends one frame in one write: a frame without payload written as
// header then empty payload (api.WriteFrame) could fail with EPIPE after
// the monitor acted on the header and exited (close stdin ends cat).
func (a *AttachConn) write(stream byte, p []byte) error {
	b := make([]byte, 8+len(p))
	b[0] = stream
	binary.BigEndian.PutUint32(b[4:], uint32(len(p)))
	copy(b[8:], p)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.c.Write(b); err != nil {
		return fmt.Errorf("writing to the monitor: %w", err)
	}
	return nil
}

// WriteStdin sends p to the container's stdin. It blocks while the
// container does not read its stdin.
func (a *AttachConn) WriteStdin(p []byte) error { return api.WriteStdin(a.write, p) }

// Resize sets the size of the container's terminal (tty only).
func (a *AttachConn) Resize(rows, cols uint16) error {
	return a.write(api.Resize, api.ResizePayload(rows, cols))
}

// CloseStdin closes the container's stdin pipe, for every client (a
// no-op with a tty, where end of input is the terminal's EOF character).
func (a *AttachConn) CloseStdin() error {
	return a.write(api.CloseStdin, nil)
}

// frameWaitFor asks the monitor to lose no output for this client (see
// WaitForMe); it is the monitor's own frame, not one of the api's.
const frameWaitFor = 6

// WaitForMe asks the monitor never to drop this client for reading
// slowly: the container's output then waits for it (the container blocks
// on its stdout), as an attached client holds a Docker container back.
// For a client that relays to a user; a client that stops reading for
// good must close the connection, or the container stalls.
func (a *AttachConn) WaitForMe() error {
	return a.write(frameWaitFor, nil)
}

// Close closes the connection; the container is not affected.
func (a *AttachConn) Close() error {
	return a.c.Close()
}
