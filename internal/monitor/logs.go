package monitor

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// followInterval is how often a followed log is checked for new lines,
// rotation and the container's exit.
const followInterval = 100 * time.Millisecond

// LogEntry is one entry of a container's log file.
type LogEntry struct {
	Time time.Time
	// Stream is api.Stdout or api.Stderr.
	Stream byte
	// Line is the content, without the newline that ended it.
	Line []byte
	// Partial: the line continues in the next entry of the same stream
	// (it was longer than 16 KiB, or ended without a newline).
	Partial bool
}

// LogOptions selects the entries ReadLogs returns.
type LogOptions struct {
	// Tail is how many of the last entries to return: < 0 for all, and
	// 0 for none (with Follow: only new ones).
	Tail int
	// Since skips entries older than this time (zero: none skipped).
	Since time.Time
	// Follow keeps returning new entries until ctx ends or, with
	// ExitDir, the container has exited and the log is drained.
	Follow bool
	// ExitDir is the container's runtime dir: following stops once
	// exit.json appears there and the file holds nothing more.
	ExitDir string
	// Stop, once closed, ends following as an exit does: what the
	// open file still holds is read, then ReadLogs returns (the
	// container was removed, taking exit.json, and maybe the log's
	// name, with it).
	Stop <-chan struct{}
}

// ReadLogs calls fn for the entries of the log at path, across its
// rotated files (path.N ... path.1, path), oldest first. An error from fn
// stops it and is returned. Following a log that rotates more than once
// between two checks (100 ms) loses the entries of the skipped file.
func ReadLogs(ctx context.Context, path string, opts LogOptions, fn func(LogEntry) error) error {
	files, err := openLogs(path)
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range files {
			f.close()
		}
	}()
	// The last Tail entries: ring[next:] then ring[:next], once full.
	var ring []LogEntry
	next := 0
	keep := func(e LogEntry) error {
		switch {
		case !opts.Since.IsZero() && e.Time.Before(opts.Since):
		case opts.Tail < 0:
			return fn(e)
		case len(ring) < opts.Tail:
			ring = append(ring, e)
		case opts.Tail > 0:
			ring[next] = e
			next = (next + 1) % len(ring)
		}
		return nil
	}
	var cur *logFile
	for _, f := range files {
		if err := f.drain(keep); err != nil {
			return err
		}
		if f.current {
			cur = f
		}
	}
	for _, e := range append(ring[next:], ring[:next]...) {
		if err := fn(e); err != nil {
			return err
		}
	}
	if !opts.Follow {
		return nil
	}
	send := func(e LogEntry) error {
		if !opts.Since.IsZero() && e.Time.Before(opts.Since) {
			return nil
		}
		return fn(e)
	}
	return follow(ctx, path, cur, opts, send)
}

// follow reads what is appended to path, from where cur stands (cur may
// be nil when path did not exist yet), following rotations.
func follow(ctx context.Context, path string, cur *logFile, opts LogOptions, fn func(LogEntry) error) error {
	defer func() {
		if cur != nil {
			cur.close()
		}
	}()
	tick := time.NewTicker(followInterval)
	defer tick.Stop()
	stop, stopped := opts.Stop, false
	for {
		// Looked at first: the monitor writes exit.json after the
		// last entry, so the drain below gets everything.
		exited := stopped
		if !exited && opts.ExitDir != "" {
			_, err := os.Stat(filepath.Join(opts.ExitDir, "exit.json"))
			exited = err == nil
		}
		for {
			if cur == nil {
				f, err := openLog(path, true)
				if err != nil || f == nil {
					break
				}
				cur = f
			}
			if err := cur.drain(fn); err != nil {
				return err
			}
			if !cur.replaced(path) {
				break
			}
			// Rotated: the old file is complete, now that it has a
			// new name; read what it got since the drain above.
			if err := cur.drain(fn); err != nil {
				return err
			}
			cur.close()
			cur = nil
		}
		if exited {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-stop:
			stopped, stop = true, nil
		case <-tick.C:
		}
	}
}

// logFile is one open log file being read entry by entry.
type logFile struct {
	f       *os.File
	r       *bufio.Reader
	off     int64  // bytes consumed, pending included
	pending []byte // an incomplete last line, still being written
	current bool   // opened as path itself, not a rotated file
}

// openLogs opens the log files of path, oldest first. They are opened
// newest first, so that a rotation in between shows as the same file
// twice (skipped) rather than a file missed.
func openLogs(path string) ([]*logFile, error) {
	var files []*logFile
	for i := 0; ; i++ {
		p := path
		if i > 0 {
			p = path + "." + strconv.Itoa(i)
		}
		f, err := openLog(p, i == 0)
		if err != nil {
			for _, f := range files {
				f.close()
			}
			return nil, err
		}
		if f == nil {
			if i == 0 {
				continue // no current file (yet): rotated ones may exist
			}
			break
		}
		if f.sameAsAny(files) {
			f.close()
			continue
		}
		files = append([]*logFile{f}, files...)
	}
	return files, nil
}

// openLog opens p; a missing file is (nil, nil).
func openLog(p string, current bool) (*logFile, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opening log %s: %w", p, err)
	}
	return &logFile{f: f, r: bufio.NewReaderSize(f, 64<<10), current: current}, nil
}

func (l *logFile) close() { l.f.Close() }

func (l *logFile) sameAsAny(files []*logFile) bool {
	fi, err := l.f.Stat()
	if err != nil {
		return false
	}
	for _, o := range files {
		if ofi, err := o.f.Stat(); err == nil && os.SameFile(fi, ofi) {
			return true
		}
	}
	return false
}

// replaced tells whether path now names another file than l (rotation),
// and rewinds l if it was truncated in place (rotation with one file).
func (l *logFile) replaced(path string) bool {
	now, err := os.Stat(path)
	if err != nil {
		return false // between the rename and the new file: next time
	}
	fi, err := l.f.Stat()
	if err != nil || !os.SameFile(now, fi) {
		return true
	}
	if fi.Size() < l.off {
		if _, err := l.f.Seek(0, io.SeekStart); err == nil {
			l.r.Reset(l.f)
			l.off = 0
			l.pending = l.pending[:0]
		}
	}
	return false
}

// drain calls fn for every complete entry up to the end of the file; an
// incomplete last line is kept for the next drain.
func (l *logFile) drain(fn func(LogEntry) error) error {
	for {
		chunk, err := l.r.ReadSlice('\n')
		l.off += int64(len(chunk))
		switch {
		case err == nil:
			line := chunk
			if len(l.pending) > 0 {
				l.pending = append(l.pending, chunk...)
				line = l.pending
			}
			e, ok := parseEntry(line)
			l.pending = l.pending[:0]
			if !ok {
				continue // not an entry of ours: skip it
			}
			if err := fn(e); err != nil {
				return err
			}
		case errors.Is(err, bufio.ErrBufferFull), errors.Is(err, io.EOF):
			l.pending = append(l.pending, chunk...)
			if errors.Is(err, io.EOF) {
				return nil
			}
		default:
			return fmt.Errorf("reading log %s: %w", l.f.Name(), err)
		}
	}
}

// parseEntry parses "<RFC3339Nano> <stdout|stderr> <F|P> <content>\n".
func parseEntry(line []byte) (LogEntry, bool) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	ts, rest, ok1 := bytes.Cut(line, []byte(" "))
	stream, rest, ok2 := bytes.Cut(rest, []byte(" "))
	tag, content, ok3 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 || !ok3 || len(tag) != 1 || (tag[0] != 'F' && tag[0] != 'P') {
		return LogEntry{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return LogEntry{}, false
	}
	e := LogEntry{Time: t, Line: bytes.Clone(content), Partial: tag[0] == 'P'}
	switch string(stream) {
	case "stdout":
		e.Stream = api.Stdout
	case "stderr":
		e.Stream = api.Stderr
	default:
		return LogEntry{}, false
	}
	if e.Line == nil {
		e.Line = []byte{}
	}
	return e, true
}
