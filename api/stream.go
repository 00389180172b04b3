package api

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// Streams of a frame.
const (
	Stdin  byte = 0
	Stdout byte = 1
	Stderr byte = 2
	// Resize carries two big-endian uint16: rows, then columns
	// (client to daemon, on attach and exec).
	Resize byte = 3
	// CloseStdin closes the process's stdin (client to daemon).
	CloseStdin byte = 4
	// Exit carries the process's exit code as a big-endian int32, as the
	// last frame of an attach or exec stream (daemon to client).
	Exit byte = 5
)

// Frame headers are 8 bytes: the stream, three zero bytes, and the
// payload size as a big-endian uint32 (Docker's multiplexed stream format,
// extended with the control streams above). Logs, attach and exec without
// a terminal use frames in both directions; with a terminal, stdout
// carries the terminal's raw output but is still framed, so that resize
// and exit frames can travel on the same connection.
const frameHeader = 8

// MaxFrame is the largest payload a frame may carry.
const MaxFrame = 1 << 20

// StartedHeader is in the 101 answer of POST /containers/{id}/attach?start=1
// when the daemon started the container; a daemon older than start=1
// ignores it, does not answer this header, and leaves the start to the
// client.
const StartedHeader = "Container-Started"

// ExitAfterRemovalHeader is in the 101 answer of POST
// /containers/{id}/attach of a daemon that sends the Exit frame of an
// --rm container (AutoRemove) only once the container is removed, or its
// removal failed: the client need not wait for the removal itself.
const ExitAfterRemovalHeader = "Container-Exit-After-Removal"

// WriteFrame writes one frame.
func WriteFrame(w io.Writer, stream byte, p []byte) error {
	if len(p) > MaxFrame {
		return fmt.Errorf("frame of %d bytes exceeds %d", len(p), MaxFrame)
	}
	// One write per frame: a frame is never split between writers, and a
	// peer that closed sees one failed write, not half a frame.
	b := make([]byte, frameHeader+len(p))
	b[0] = stream
	binary.BigEndian.PutUint32(b[4:frameHeader], uint32(len(p)))
	copy(b[frameHeader:], p)
	_, err := w.Write(b)
	return err
}

// ReadFrame reads one frame into buf (grown as needed) and returns its
// stream and payload.
func ReadFrame(r io.Reader, buf []byte) (byte, []byte, error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[4:])
	if n > MaxFrame {
		return 0, nil, fmt.Errorf("frame of %d bytes exceeds %d", n, MaxFrame)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, err
	}
	return h[0], buf, nil
}

// WriteStdin sends p to a process's stdin through send, as Stdin frames
// of at most MaxFrame bytes (none for an empty p). The CLI's client and
// the daemon's monitor connection send stdin this way.
func WriteStdin(send func(stream byte, p []byte) error, p []byte) error {
	for chunk := range slices.Chunk(p, MaxFrame) {
		if err := send(Stdin, chunk); err != nil {
			return err
		}
	}
	return nil
}

// ResizePayload is the payload of a Resize frame.
func ResizePayload(rows, cols uint16) []byte {
	p := make([]byte, 4)
	binary.BigEndian.PutUint16(p[0:], rows)
	binary.BigEndian.PutUint16(p[2:], cols)
	return p
}

// ParseResize decodes the payload of a Resize frame; ok is false when it
// is not 4 bytes.
func ParseResize(p []byte) (rows, cols uint16, ok bool) {
	if len(p) != 4 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(p[0:2]), binary.BigEndian.Uint16(p[2:4]), true
}

// ExitPayload is the payload of an Exit frame.
func ExitPayload(code int) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(int32(code)))
}

// ParseExit decodes the payload of an Exit frame.
func ParseExit(p []byte) (int, error) {
	if len(p) != 4 {
		return 0, fmt.Errorf("exit frame of %d bytes, want 4", len(p))
	}
	return int(int32(binary.BigEndian.Uint32(p))), nil
}
