package container

import (
	"io"
	"sync"

	"github.com/container-runtime/container-runtime/api"
)

// frameConn writes frames to a client connection from several goroutines
// (stdout, stderr, exit) one whole frame at a time. After the first
// write error it drops everything: the client is gone, but the process
// keeps running and its output keeps being drained.
type frameConn struct {
	mu   sync.Mutex
	w    io.Writer
	dead bool
}

func (f *frameConn) write(stream byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return io.ErrClosedPipe
	}
	for len(p) > api.MaxFrame {
		if err := api.WriteFrame(f.w, stream, p[:api.MaxFrame]); err != nil {
			f.dead = true
			return err
		}
		p = p[api.MaxFrame:]
	}
	if err := api.WriteFrame(f.w, stream, p); err != nil {
		f.dead = true
		return err
	}
	return nil
}

// exit writes the final Exit frame and half-closes the connection when it
// can, telling the client that nothing more comes.
func (f *frameConn) exit(code int) {
	f.write(api.Exit, api.ExitPayload(code))
	if cw, ok := f.w.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

// copyFrames copies r to f as frames of stream until r ends; after a
// write error it keeps reading (and discarding) so the writer never
// blocks on a full pipe.
func copyFrames(f *frameConn, stream byte, r io.Reader) {
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			f.write(stream, buf[:n])
		}
		if err != nil {
			return
		}
	}
}
