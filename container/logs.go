package container

import (
	"context"
	"errors"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/monitor"
)

// Logs writes the container's log as frames: the entries selected by
// opts (tail, since, until, streams), each line prefixed with its time
// when opts.Timestamps. With opts.Follow it keeps writing the new
// entries until the container has exited and its log is drained, or ctx
// ends; following a created container waits for its start.
func (s *Service) Logs(ctx context.Context, id string, opts LogsOptions, w FrameWriter) error {
	e, err := s.lookup(id)
	if err != nil {
		return err
	}
	r := e.snapshot()
	if r.Config.LogDriver == "none" {
		// Docker's words and kind (501), which its CLI prints as is.
		return errdefs.Kindf(errdefs.ErrNotImplemented, "configured logging driver does not support reading")
	}
	follow := opts.Follow && r.State.Status != StateExited && r.State.Status != StateDead
	var removed chan struct{}
	if follow {
		// A follow ends at the exit record, which a removal right after
		// the exit can take away before the reader sees it (`run` then
		// `rm`, docker-py's run): it also ends, once it has read what
		// the log holds, when the container is removed.
		removed = make(chan struct{})
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			if _, err := s.Wait(wctx, r.ID, "removed"); err == nil {
				close(removed)
			}
		}()
	}
	lw := &logWriter{w: w, opts: opts, bol: map[byte]bool{api.Stdout: true, api.Stderr: true}}
	err = monitor.ReadLogs(ctx, s.logPath(r.ID), monitor.LogOptions{
		Tail: opts.Tail, Since: opts.Since, Follow: follow, ExitDir: s.monitorDir(r.ID), Stop: removed,
	}, lw.entry)
	if errors.Is(err, errStopLogs) || (err != nil && ctx.Err() != nil) {
		return nil
	}
	return err
}

// errStopLogs ends ReadLogs once an entry is past opts.Until.
var errStopLogs = errors.New("past the end of the requested logs")

// logWriter turns log entries into frames.
type logWriter struct {
	w    FrameWriter
	opts LogsOptions
	// bol tells, per stream, whether the next entry starts a line (the
	// previous one was not partial): only there goes a timestamp.
	bol map[byte]bool
	buf []byte
}

func (l *logWriter) entry(e monitor.LogEntry) error {
	if !l.opts.Until.IsZero() && e.Time.After(l.opts.Until) {
		return errStopLogs
	}
	both := !l.opts.Stdout && !l.opts.Stderr
	if !both && ((e.Stream == api.Stdout && !l.opts.Stdout) || (e.Stream == api.Stderr && !l.opts.Stderr)) {
		return nil
	}
	b := l.buf[:0]
	if l.opts.Timestamps && l.bol[e.Stream] {
		b = e.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, ' ')
	}
	b = append(b, e.Line...)
	if !e.Partial {
		b = append(b, '\n')
	}
	l.bol[e.Stream] = !e.Partial
	l.buf = b
	return l.w.WriteFrame(e.Stream, b)
}
