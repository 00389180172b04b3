package errdefs

import (
	"errors"
	"io/fs"
	"testing"
)

func TestWithKind(t *testing.T) {
	if WithKind(nil, ErrNotFound) != nil {
		t.Error("WithKind(nil) is not nil")
	}
	cause := &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}
	err := WithKind(cause, ErrNotFound)
	if err.Error() != cause.Error() {
		t.Errorf("text %q, want the cause's %q", err, cause)
	}
	var pe *fs.PathError
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) {
		t.Errorf("%v does not match its kind and its cause's chain", err)
	}
	if again := WithKind(err, ErrNotFound); again != err {
		t.Error("tagging an error with its own kind again wrapped it")
	}
}

func TestKindf(t *testing.T) {
	cause := errors.New("disk full")
	err := Kindf(ErrUnavailable, "writing %s: %w", "x", cause)
	if err.Error() != "writing x: disk full" {
		t.Errorf("text %q", err)
	}
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) || errors.Is(err, ErrNotFound) {
		t.Errorf("%v matches the wrong kinds", err)
	}
}

func TestExplain(t *testing.T) {
	cause := errors.New("connection refused")
	err := Explain(ErrUnavailable, "the daemon is not running", cause)
	if err.Error() != "the daemon is not running" {
		t.Errorf("text %q", err)
	}
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) {
		t.Errorf("%v does not match its kind and cause", err)
	}
}
