package rootread

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// root makes a directory tree standing for a container's root, with
// /etc/shadow holding "inside" so that a read can tell where it landed.
func root(t testing.TB) string {
	t.Helper()
	r := t.TempDir()
	if err := os.MkdirAll(filepath.Join(r, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r, "etc/shadow"), []byte("inside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReadFileFollowsSymlinksInsideTheRoot(t *testing.T) {
	host := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(host, []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{
		"/etc/shadow",
		"shadow",
		"../../../../../../etc/shadow",
		host, // the host's file, by its absolute path, is not reached
	} {
		t.Run(target, func(t *testing.T) {
			r := root(t)
			if target == host {
				// host's path inside the root holds "inside".
				if err := os.MkdirAll(filepath.Join(r, filepath.Dir(host)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(r, host), []byte("inside\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(target, filepath.Join(r, "etc/passwd")); err != nil {
				t.Fatal(err)
			}
			b, err := ReadFile(r, "/etc/passwd", 1<<20)
			if err != nil || string(b) != "inside\n" {
				t.Fatalf("ReadFile through a symlink to %s: %q, %v; want the root's own file", target, b, err)
			}
		})
	}
}

func TestReadFileRefusesWhatIsNotARegularFile(t *testing.T) {
	r := root(t)
	if err := unix.Mkfifo(filepath.Join(r, "etc/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(r, "etc/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil && !errors.Is(err, unix.EPERM) {
		t.Fatal(err)
	}
	os.Symlink("fifo", filepath.Join(r, "etc/to-fifo"))
	os.Symlink("loop", filepath.Join(r, "etc/loop"))
	os.Symlink("/proc/self/root/etc/hostname", filepath.Join(r, "etc/magic"))
	tests := []struct {
		name, want string
	}{
		{"/etc/fifo", "is a FIFO"},
		{"/etc/to-fifo", "is a FIFO"},
		{"/etc", "is a directory"},
		{"/etc/loop", "too many levels of symbolic links"},
		{"/etc/shadow/x", "not a directory"},
	}
	if _, err := os.Lstat(filepath.Join(r, "etc/null")); err == nil {
		tests = append(tests, struct{ name, want string }{"/etc/null", "is a character device"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := ReadFile(r, tt.name, 1<<20)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.name) {
					t.Fatalf("ReadFile(%s): %v; want an error naming it and saying %q", tt.name, err, tt.want)
				}
				if !errors.Is(err, errdefs.ErrInvalidArgument) {
					t.Errorf("ReadFile(%s): %v is not ErrInvalidArgument", tt.name, err)
				}
			case <-time.After(time.Minute):
				t.Fatalf("ReadFile(%s) blocked", tt.name)
			}
		})
	}
	// A magic link is refused rather than followed out of the root.
	if b, err := ReadFile(r, "/etc/magic", 1<<20); err == nil {
		t.Errorf("ReadFile followed a /proc magic link: %q", b)
	}
}

func TestReadFileLimit(t *testing.T) {
	r := root(t)
	p := filepath.Join(r, "etc/group")
	if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(r, "etc/group", 100); err != nil || len(b) != 100 {
		t.Errorf("100 bytes with a limit of 100: %d, %v", len(b), err)
	}
	_, err := ReadFile(r, "etc/group", 99)
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "/etc/group") {
		t.Errorf("100 bytes with a limit of 99: %v; want ErrTooLarge naming /etc/group", err)
	}
	if _, err := ReadFile(r, "etc/missing", 99); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v; want fs.ErrNotExist", err)
	}
}
