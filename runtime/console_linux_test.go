package runtime

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDialConsoleLongPath: a console socket whose path is longer than
// sun_path (the daemon's per-container directories are) is still reached.
func TestDialConsoleLongPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 100))
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "console.sock")
	if len(path) < len(unix.RawSockaddrUnix{}.Path) {
		t.Fatalf("path %q is not long enough for the test", path)
	}
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l, err := net.Listen("unix", "/proc/self/fd/"+strconv.Itoa(int(d.Fd()))+"/console.sock")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			c.Write([]byte("x"))
			c.Close()
		}
	}()
	f, err := dialConsole(path)
	if err != nil {
		t.Fatalf("dialConsole: %v", err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if n, _ := f.Read(b); n != 1 || b[0] != 'x' {
		t.Fatalf("read %q", b[:n])
	}
}
