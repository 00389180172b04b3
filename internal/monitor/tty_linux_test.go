package monitor

import (
	"net"
	"strings"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// TestTty plays the container's part with a pty: it sends the master to
// console.sock as the runtime's init does, and runs a shell on the slave;
// a resize through attach must reach the terminal.
func TestTty(t *testing.T) {
	cfg := testConfig(t)
	cfg.Tty = true
	m := startMonitor(t, cfg)
	if m.ConsoleSocket() == "" {
		t.Fatal("no console socket with Tty")
	}
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: m.ConsoleSocket(), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.WriteMsgUnix([]byte(slave.Name()), unix.UnixRights(int(master.Fd())), nil); err != nil {
		t.Fatal(err)
	}
	c.Close()
	master.Close()

	a := attach(t, cfg.Dir)
	runInit(t, m, "exec <&3 >&3 2>&3 3>&-; read x; stty size; echo \"x=$x\"; exit 7", slave)
	slave.Close() // the shell holds the only slave now: EIO at its exit
	if err := a.Resize(40, 100); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteStdin([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	s := readUntil(t, a, nil)
	out := strings.ReplaceAll(s.stdout.String(), "\r\n", "\n")
	if !strings.Contains(out, "40 100\n") || !strings.Contains(out, "x=go\n") || s.exit != 7 {
		t.Errorf("tty output %q, exit %d; want the size 40 100, x=go and 7", out, s.exit)
	}
	if s.stderr.Len() != 0 {
		t.Errorf("stderr frames with a tty: %q", s.stderr.String())
	}
	e := waitExit(t, m, cfg.Dir)
	if e.ExitCode != 7 {
		t.Errorf("exit code %d, want 7", e.ExitCode)
	}
	// The log holds the terminal's output too.
	found := false
	for _, e := range readLogs(t, cfg.LogPath, LogOptions{Tail: -1}) {
		found = found || strings.TrimSuffix(string(e.Line), "\r") == "40 100"
	}
	if !found {
		t.Error("the log lacks the stty output")
	}
}
