package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/logctx"
)

// TestMakePrivate: the start-up repair makes the data root and the
// directories the daemon keeps below it and below the exec root private,
// logs each change, and leaves alone the content's own directories
// (deeper), the exec root and the socket's directory with its ancestors.
func TestMakePrivate(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	execRoot := filepath.Join(dir, "exec")
	mk := func(rel string, mode os.FileMode) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	private := []string{
		mk("root", 0o711),
		mk("root/containers", 0o711),
		mk("root/containers/abc", 0o711),
		mk("root/layers", 0o755),
		mk("root/layers/def", 0o755),
		mk("exec/runtime", 0o711),
		mk("exec/runtime/abc", 0o711),
		mk("exec/containers", 0o755),
	}
	kept := []string{
		mk("root/containers/abc/upper", 0o755), // the container's own /
		mk("root/layers/def/diff", 0o755),      // the layer's own /
		mk("exec", 0o711),                      // holds the socket
		mk("exec/sock/inner", 0o755),           // the socket's directory
		filepath.Join(dir, "exec/sock"),
	}
	os.Chmod(filepath.Join(dir, "exec/sock"), 0o755)

	var logged bytes.Buffer
	ctx := logctx.With(context.Background(), slog.New(slog.NewTextHandler(&logged, nil)))
	cfg := config{root: root, execRoot: execRoot, socket: filepath.Join(dir, "exec/sock/inner/d.sock")}
	if err := makePrivate(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	for _, p := range private {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o067 != 0 {
			t.Errorf("%s: mode %v after makePrivate, want 0700 or 0710", p, st.Mode().Perm())
		}
		if !strings.Contains(logged.String(), "path="+p+" ") {
			t.Errorf("the change of %s was not logged:\n%s", p, logged.String())
		}
	}
	for _, p := range kept {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m != 0o755 && m != 0o711 {
			t.Errorf("%s: mode %v after makePrivate, want it kept", p, m)
		}
	}
}
