package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/container-runtime/container-runtime/api"
)

// Stream is an upgraded attach or exec connection. It carries api frames
// both ways: the process's output and finally its exit code from the
// daemon; stdin, resizes and the close of stdin to it.
//
// ReadFrame and Copy are for one reader goroutine; WriteStdin, Resize and
// CloseStdin may be called from others. Close ends the connection; the
// process keeps running (this is how a client detaches).
type Stream struct {
	conn io.ReadWriteCloser
	stop func() bool // unregisters the close on ctx cancellation

	buf []byte

	wmu  sync.Mutex   // serializes frames written
	wbuf bytes.Buffer // one frame, written with one call

	closeOnce sync.Once
	closeErr  error

	started, exitAfterRemoval bool
}

// newStream wraps the body of a 101 answer. Cancelling ctx closes the
// stream.
func newStream(ctx context.Context, resp *http.Response) (*Stream, error) {
	conn, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		resp.Body.Close()
		return nil, errors.New("the upgraded connection is not writable")
	}
	s := &Stream{conn: conn, started: resp.Header.Get(api.StartedHeader) == "1",
		exitAfterRemoval: resp.Header.Get(api.ExitAfterRemovalHeader) == "1"}
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

// Started reports whether the daemon started the container of an attach
// with AttachOptions.Start.
func (s *Stream) Started() bool { return s.started }

// ExitAfterRemoval reports whether the daemon sends the Exit frame of an
// --rm container only once the container is removed (or its removal
// failed): after that frame, there is no removal left to wait for.
func (s *Stream) ExitAfterRemoval() bool { return s.exitAfterRemoval }

// ReadFrame returns the next frame from the daemon. The payload is valid
// until the next call. It returns io.EOF when the daemon closed the stream.
func (s *Stream) ReadFrame() (stream byte, payload []byte, err error) {
	stream, payload, err = api.ReadFrame(s.conn, s.buf)
	if err == nil {
		s.buf = payload
	}
	return stream, payload, err
}

// Copy writes the process's output to stdout and stderr (either may be
// nil to discard) until the Exit frame, whose code it returns with exited
// true, or the end of the stream (exited false).
func (s *Stream) Copy(stdout, stderr io.Writer) (code int, exited bool, err error) {
	return demux(s.conn, stdout, stderr)
}

// WriteStdin sends p to the process's stdin.
func (s *Stream) WriteStdin(p []byte) error { return api.WriteStdin(s.writeFrame, p) }

// Resize sets the size of the process's terminal.
func (s *Stream) Resize(rows, cols uint16) error {
	return s.writeFrame(api.Resize, api.ResizePayload(rows, cols))
}

// CloseStdin closes the process's stdin (it reads EOF); output keeps
// coming.
func (s *Stream) CloseStdin() error { return s.writeFrame(api.CloseStdin, nil) }

// Close ends the connection. The process is not signalled.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		s.closeErr = s.conn.Close()
	})
	return s.closeErr
}

// writeFrame sends one frame in one write: the daemon may close the
// connection as soon as it has read a frame (a close-stdin after which it
// exits), and a separate write of an empty payload would then fail.
func (s *Stream) writeFrame(stream byte, p []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.wbuf.Reset()
	if err := api.WriteFrame(&s.wbuf, stream, p); err != nil {
		return fmt.Errorf("writing to the daemon's stream: %w", err)
	}
	if _, err := s.conn.Write(s.wbuf.Bytes()); err != nil {
		return fmt.Errorf("writing to the daemon's stream: %w", err)
	}
	return nil
}
