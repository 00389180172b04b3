package builder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// TestDockerfileMustBeInTheContext refuses a Dockerfile outside the build
// context, by path or through a symlink, and one that is not a regular
// file; a Dockerfile inside it, by absolute or relative path, is read.
func TestDockerfileMustBeInTheContext(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "shadow")
	if err := os.WriteFile(secret, []byte("root:$y$s3cr3t:19700::::::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := newContext(t, "FROM busybox\n", map[string]string{"sub/Dockerfile.dev": "FROM busybox\nRUN true\n"})
	if err := os.Symlink(secret, filepath.Join(ctx, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../.."+secret, filepath.Join(ctx, "dotdot")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(ctx, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, ok := range []string{"Dockerfile", "sub/Dockerfile.dev", "./sub/../Dockerfile"} {
		opts, err := normalizeOptions(Options{ContextDir: ctx, Dockerfile: ok})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseDockerfileFile(opts.ContextDir, opts.Dockerfile); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
		if _, err := parseDockerfileFile(ctx, filepath.Join(ctx, ok)); err != nil {
			t.Errorf("absolute %s: %v", ok, err)
		}
	}

	for name, tc := range map[string]struct {
		path, want string
		kind       error
	}{
		"absolute, outside": {secret, "is outside the build context", errdefs.ErrInvalidArgument},
		"relative escape":   {filepath.Join(ctx, "../../..", secret), "is outside the build context", errdefs.ErrInvalidArgument},
		"symlink out":       {filepath.Join(ctx, "link"), "no such file", errdefs.ErrNotFound},
		"symlink dotdot":    {filepath.Join(ctx, "dotdot"), "no such file", errdefs.ErrNotFound},
		"fifo":              {filepath.Join(ctx, "fifo"), "is not a regular file", errdefs.ErrInvalidArgument},
		"directory":         {filepath.Join(ctx, "sub"), "is not a regular file", errdefs.ErrInvalidArgument},
		"missing":           {filepath.Join(ctx, "nope"), "no such file", errdefs.ErrNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseDockerfileFile(ctx, tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.kind) {
				t.Fatalf("got %v, want %q (%v)", err, tc.want, tc.kind)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("the error quotes the file: %v", err)
			}
		})
	}
}

// TestBuildStopSignalFromArg checks STOPSIGNAL after variable expansion:
// an ARG that makes it invalid fails the build at its line, a valid one
// lands in the image config as written.
func TestBuildStopSignalFromArg(t *testing.T) {
	e := newTestEnv(t)
	dir := newContext(t, "FROM busybox\nARG S=SIGNOPE\nSTOPSIGNAL $S\n", nil)
	_, _, err := e.build(t, Options{ContextDir: dir})
	if err == nil || !strings.Contains(err.Error(), "Dockerfile:3: STOPSIGNAL SIGNOPE: not a signal") || !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Fatalf("STOPSIGNAL $S with S=SIGNOPE: got %v", err)
	}
	for _, sig := range []string{"SIGRTMIN+3", "TERM", "15"} {
		img, _ := e.mustBuild(t, Options{ContextDir: dir, BuildArgs: map[string]string{"S": sig}})
		if got := img.Config.Config.StopSignal; got != sig {
			t.Errorf("S=%s: the image's stop signal is %q", sig, got)
		}
	}
}
