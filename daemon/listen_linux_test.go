package daemon

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestListenUnix(t *testing.T) {
	dir := shortTempDir(t)
	path := filepath.Join(dir, "run", "d.sock")
	l, err := ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Type() != os.ModeSocket || st.Mode().Perm() != 0o660 {
		t.Fatalf("socket mode %v, want a socket with 0660", st.Mode())
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o711 {
		t.Fatalf("socket directory: %v, %v; want mode 0711", st.Mode(), err)
	}

	// A second daemon on the same socket is refused while the first runs.
	if _, err := ListenUnix(path); !errors.Is(err, errdefs.ErrUnavailable) || !strings.Contains(err.Error(), "another container-runtimed") {
		t.Fatalf("second listener: %v, want ErrUnavailable naming the other daemon", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket still there after Close: %v", err)
	}
}

func TestListenUnixStaleAndForeign(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string) // leaves something at path
		wantErr error                           // nil: ListenUnix succeeds
	}{
		{"stale socket", func(t *testing.T, path string) {
			l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
			if err != nil {
				t.Fatal(err)
			}
			l.SetUnlinkOnClose(false)
			l.Close() // the file stays; nothing answers on it
		}, nil},
		{"live socket without the lock", func(t *testing.T, path string) {
			l, err := net.Listen("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
		}, errdefs.ErrUnavailable},
		{"regular file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, errdefs.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(shortTempDir(t), "d.sock")
			tt.prepare(t, path)
			l, err := ListenUnix(path)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				l.Close()
				return
			}
			if !errors.Is(err, tt.wantErr) {
				if l != nil {
					l.Close()
				}
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
		})
	}
}
