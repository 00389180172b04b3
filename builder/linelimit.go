package builder

import (
	"bufio"
	"errors"
	"io"
)

// maxLineBytes is the longest physical line of a Dockerfile, newline not
// counted: buildkit's parser reads lines with a bufio.Scanner whose buffer
// (bufio.MaxScanTokenSize, 64 KiB) must hold the line and its newline.
// Docker refuses longer lines the same way. An instruction may still be
// longer: written over several lines with continuations, it has no limit.
const maxLineBytes = bufio.MaxScanTokenSize - 1

// errLineTooLong stops the parser at a line over maxLineBytes.
var errLineTooLong = errors.New("Dockerfile line too long")

// lineLimitReader passes a Dockerfile through and notes the number of the
// first line over maxLineBytes, where it stops with errLineTooLong.
// buildkit would stop there too, but say the line before (or nothing).
type lineLimitReader struct {
	r io.Reader
	// line is the 1-based number of the line being read; n counts its
	// bytes so far.
	line, n int
	// long is the first line over the limit, 0 while there is none.
	long int
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	if l.long != 0 {
		return 0, errLineTooLong
	}
	n, err := l.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			l.line++
			l.n = 0
			continue
		}
		if l.n++; l.n > maxLineBytes {
			l.long = l.line
			return i, errLineTooLong
		}
	}
	return n, err
}
