package daemon

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// upgradeResponse begins the answer sent before the connection carries
// frames; an empty line ends it. (Docker answers the same way; clients
// wait for it before writing frames.)
const upgradeResponse = "HTTP/1.1 101 UPGRADED\r\n" +
	"Content-Type: " + contentFrames + "\r\n" +
	"Connection: Upgrade\r\n" +
	"Upgrade: tcp\r\n"

// upgradeConn is the connection handed to Attach and ExecStart. It takes
// the connection over (101 Switching Protocols) on the first Read or
// Write, not before, so that a service that fails first (no such
// container) still gets a proper status and api.Error body.
type upgradeConn struct {
	w     http.ResponseWriter
	track func(net.Conn) (untrack func())
	// before, when set, runs at the first Read or Write, before the
	// connection is taken over; its error fails every Read and Write and
	// nothing is hijacked (attach's start=1).
	before  func() error
	once    sync.Once
	conn    net.Conn
	r       io.Reader
	untrack func()
	err     error
	// header is more of the 101 answer: header lines, each ending in
	// CRLF (set before the first Read or Write).
	header string
}

// upgrade hijacks the connection and answers 101, once.
func (u *upgradeConn) upgrade() error {
	u.once.Do(func() {
		if u.before != nil {
			if u.err = u.before(); u.err != nil {
				return
			}
		}
		conn, brw, err := http.NewResponseController(u.w).Hijack()
		if err != nil {
			u.err = fmt.Errorf("taking over the connection: %w", err)
			return
		}
		// The server's header timeouts must not cut a long session.
		conn.SetDeadline(time.Time{})
		u.conn = conn
		u.untrack = u.track(conn)
		if _, err := brw.WriteString(upgradeResponse + u.header + "\r\n"); err == nil {
			err = brw.Flush()
		}
		if err != nil {
			u.err = fmt.Errorf("answering the upgrade: %w", err)
			return
		}
		// The client may have sent frames right behind the request:
		// they sit in the server's read buffer.
		u.r = conn
		if n := brw.Reader.Buffered(); n > 0 {
			u.r = io.MultiReader(io.LimitReader(brw.Reader, int64(n)), conn)
		}
	})
	return u.err
}

// Read reads what the client sends (frames).
func (u *upgradeConn) Read(p []byte) (int, error) {
	if err := u.upgrade(); err != nil {
		return 0, err
	}
	return u.r.Read(p)
}

// Write sends to the client.
func (u *upgradeConn) Write(p []byte) (int, error) {
	if err := u.upgrade(); err != nil {
		return 0, err
	}
	return u.conn.Write(p)
}

// CloseWrite half-closes the connection when the transport can (UNIX and
// TLS), telling the client nothing more comes.
func (u *upgradeConn) CloseWrite() error {
	if err := u.upgrade(); err != nil {
		return err
	}
	if cw, ok := u.conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// upgraded reports whether the connection was taken over. Call it once
// the service has returned.
func (u *upgradeConn) upgraded() bool { return u.conn != nil }

// close closes the connection if it was taken over. Call it once the
// service has returned.
func (u *upgradeConn) close() {
	if u.conn == nil {
		return
	}
	u.conn.Close()
	if u.untrack != nil {
		u.untrack()
	}
}
