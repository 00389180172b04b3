package runtime

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// consoleSocket listens on a console socket for one test.
func consoleSocket(t testing.TB) (string, *net.UnixListener) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return path, l
}

// recvConsole receives the pty master, failing after 20 seconds.
func recvConsole(t testing.TB, l *net.UnixListener) *os.File {
	t.Helper()
	l.SetDeadline(time.Now().Add(20 * time.Second))
	m, err := RecvConsole(l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestTerminal(t *testing.T) {
	for _, withInit := range []bool{false, true} {
		t.Run(fmt.Sprintf("init=%v", withInit), func(t *testing.T) {
			b := newTestBundle(t, "/bin/sh", "-c", "stty size; tty; [ -t 0 ] && echo stdin-is-tty")
			b.spec.Process.Terminal = true
			id := testID(t)
			watchLeaks(t, b, id)
			path, l := consoleSocket(t)
			c := b.create(t, id, CreateOptions{ConsoleSocket: path, Init: withInit})
			master := recvConsole(t, l)
			if err := pty.Setsize(master, &pty.Winsize{Rows: 37, Cols: 91}); err != nil {
				t.Fatal(err)
			}
			out := collect(master)
			c.start(t)
			if st := c.wait(t); st.Code != 0 {
				t.Errorf("exit %+v", st)
			}
			got := out.all(t)
			for _, want := range []string{"37 91", "/dev/pts/", "stdin-is-tty"} {
				if !strings.Contains(got, want) {
					t.Errorf("terminal output lacks %q: %q", want, got)
				}
			}
		})
	}
}

func TestExecTerminal(t *testing.T) {
	b := newTestBundle(t, "/bin/sleep", "60")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)

	path, l := consoleSocket(t)
	p := processSpec("/bin/sh", "-c", "stty size; read line; stty size; echo got-$line")
	p.Terminal = true
	p.ConsoleSize = &specs.Box{Height: 20, Width: 50}
	ep, err := b.rt.Exec(t.Context(), id, p, ExecOptions{ConsoleSocket: path})
	if err != nil {
		t.Fatal(err)
	}
	master := recvConsole(t, l)
	out := collect(master)
	// The size from the spec, then the one set on the master.
	out.waitFor(t, "20 50")
	if err := pty.Setsize(master, &pty.Winsize{Rows: 33, Cols: 77}); err != nil {
		t.Fatal(err)
	}
	if _, err := master.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	st, err := ep.Wait()
	if err != nil || st.Code != 0 {
		t.Errorf("exec: %+v, %v", st, err)
	}
	got := out.all(t)
	for _, want := range []string{"33 77", "got-hello"} {
		if !strings.Contains(got, want) {
			t.Errorf("exec terminal output lacks %q: %q", want, got)
		}
	}
}
