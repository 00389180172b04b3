package docker

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types"

	"github.com/container-runtime/container-runtime/api"
)

// session is a hijacked attach or exec connection as the services see it
// (io.ReadWriter of api frames), carrying Docker's wire on the other side:
//
//	service writes              client receives
//	frame 1/2 (stdout, stderr)  the same frame (no tty) or its payload (tty)
//	frame 5 (exit)              nothing: the connection closes after it
//	client sends                service reads
//	raw bytes                   frame 0 (stdin), up to 32 KiB each
//	half-close (EOF)            frame 4 (close stdin) when stdin was asked
//	                            for, then nothing until the session ends
//
// Reads after the client's EOF block until close: to the services an
// ended read side means a detach, while a Docker client half-closes when
// its stdin ends and still wants the output.
type session struct {
	// takeOver answers the request and takes the connection over. It runs
	// at the session's first use (read, write or close), so that a service
	// is ready for what the client does once answered (an attach is
	// registered before `docker run` sends its start) and an error before
	// that first use is the answer's HTTP status.
	takeOver func() (net.Conn, io.Reader, func(), error)
	opened   sync.Once
	openErr  error

	conn    net.Conn
	r       io.Reader
	untrack func()
	tty     bool
	stdin   bool

	in   bytes.Buffer // frames for the service to read
	eof  bool
	done chan struct{}
	once sync.Once

	wmu     sync.Mutex
	partial []byte // an incomplete frame the service wrote
}

// errSessionEnded is the take-over refused once the session ended unused.
var errSessionEnded = errors.New("the session ended before it was used")

// hijack prepares the take-over of the connection, answered as Docker
// does: 101 UPGRADED when the client asked for an upgrade, else 200, with
// the stream's media type. Nothing is sent until the session's first use.
func (h *Handler) hijack(w http.ResponseWriter, r *http.Request, tty, stdin bool) *session {
	s := &session{tty: tty, stdin: stdin, done: make(chan struct{})}
	s.takeOver = func() (net.Conn, io.Reader, func(), error) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("taking over the connection: %w", err)
		}
		// The server's header timeouts must not cut a long session.
		conn.SetDeadline(time.Time{})
		media := types.MediaTypeMultiplexedStream
		if tty {
			media = types.MediaTypeRawStream
		}
		head := "HTTP/1.1 200 OK\r\nContent-Type: " + media + "\r\n\r\n"
		if strings.EqualFold(r.Header.Get("Upgrade"), "tcp") || strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") {
			head = "HTTP/1.1 101 UPGRADED\r\nContent-Type: " + media + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
		}
		if _, err := brw.WriteString(head); err == nil {
			err = brw.Flush()
		}
		if err != nil {
			conn.Close()
			return nil, nil, nil, fmt.Errorf("answering the upgrade: %w", err)
		}
		var rd io.Reader = conn
		// The client may have sent stdin right behind the request.
		if n := brw.Reader.Buffered(); n > 0 {
			rd = io.MultiReader(io.LimitReader(brw.Reader, int64(n)), conn)
		}
		return conn, rd, h.track(conn), nil
	}
	return s
}

// open takes the connection over, once; a session made without takeOver
// (tests) is open from the start.
func (s *session) open() error {
	s.opened.Do(func() {
		if s.takeOver != nil {
			s.conn, s.r, s.untrack, s.openErr = s.takeOver()
		}
	})
	return s.openErr
}

// seal makes a session that was never used unusable from now on and
// reports whether it did: its request is then answered by the handler.
func (s *session) seal() (sealed bool) {
	s.opened.Do(func() { s.openErr, sealed = errSessionEnded, true })
	return sealed
}

// Read gives the service the client's input as frames.
func (s *session) Read(p []byte) (int, error) {
	if err := s.open(); err != nil {
		return 0, err
	}
	for s.in.Len() == 0 {
		if s.eof {
			<-s.done
			return 0, io.EOF
		}
		buf := make([]byte, 32<<10)
		n, err := s.r.Read(buf)
		if n > 0 {
			api.WriteFrame(&s.in, api.Stdin, buf[:n])
		}
		if err != nil {
			select {
			case <-s.done:
				return 0, io.EOF
			default:
			}
			s.eof = true
			if s.stdin {
				api.WriteFrame(&s.in, api.CloseStdin, nil)
			}
		}
	}
	return s.in.Read(p)
}

// Write takes the service's frames and sends Docker's form of them.
func (s *session) Write(p []byte) (int, error) {
	if err := s.open(); err != nil {
		return 0, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.partial = append(s.partial, p...)
	for len(s.partial) >= 8 {
		size := int(binary.BigEndian.Uint32(s.partial[4:8]))
		if len(s.partial) < 8+size {
			break
		}
		frame := s.partial[:8+size]
		var err error
		switch stream := frame[0]; {
		case stream != api.Stdout && stream != api.Stderr:
		case s.tty:
			_, err = s.conn.Write(frame[8:])
		default:
			_, err = s.conn.Write(frame)
		}
		s.partial = s.partial[8+size:]
		if err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// fail tells the client what went wrong after the connection was taken
// over, on stderr as Docker's daemon does.
func (s *session) fail(err error) {
	if s.open() != nil {
		return
	}
	msg := []byte("Error: " + err.Error() + "\n")
	if s.tty {
		s.conn.Write(msg)
		return
	}
	api.WriteFrame(s.conn, api.Stderr, msg)
}

// close ends the session: blocked reads return and the connection closes.
func (s *session) close() {
	s.once.Do(func() {
		close(s.done)
		s.seal()
		if s.conn != nil {
			s.conn.Close()
			s.untrack()
		}
	})
}
