package daemon

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/container-runtime/container-runtime/errdefs"
)

// checkedBody is a request body that tells a truncated body from a
// complete one. net/http's body reader returns io.ErrUnexpectedEOF when
// the connection ends before Content-Length bytes (or before the last
// chunk) arrived; a client that half-closes there has also made the
// server cancel the request's context, so without this the handler's
// error went unanswered and the client read an empty 200.
type checkedBody struct {
	io.ReadCloser
	// want is the Content-Length, -1 when the body is chunked.
	want int64

	mu  sync.Mutex
	n   int64
	err *truncatedBodyError
}

// checkBody wraps r's body (if it has one) in a checkedBody.
func checkBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	r.Body = &checkedBody{ReadCloser: r.Body, want: r.ContentLength}
}

func (b *checkedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += int64(n)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		if b.err == nil {
			b.err = &truncatedBodyError{got: b.n, want: b.want}
		}
		return n, b.err
	}
	return n, err
}

// truncated returns the error of a body that ended early, nil otherwise.
func (b *checkedBody) truncated() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		return nil
	}
	return b.err
}

// truncatedBodyError is a request body that ended before its end: a
// client mistake (400), whatever the handler made of it.
type truncatedBodyError struct {
	got, want int64
}

func (e *truncatedBodyError) Error() string {
	if e.want < 0 {
		return fmt.Sprintf("the request body ended after %d bytes, before its last chunk", e.got)
	}
	return fmt.Sprintf("the request body ended after %d of the %d bytes its Content-Length announced", e.got, e.want)
}

func (e *truncatedBodyError) Unwrap() []error {
	return []error{io.ErrUnexpectedEOF, errdefs.ErrInvalidArgument}
}

// bodyTruncated returns the truncation error of r's body when a read of it
// found the body cut short, nil otherwise.
func bodyTruncated(r *http.Request) error {
	if b, ok := r.Body.(*checkedBody); ok {
		return b.truncated()
	}
	return nil
}
