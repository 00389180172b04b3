package runtime

import (
	"fmt"
	"net"
	"os"

	"github.com/creack/pty"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setupConsole runs in the container process after /dev/pts is mounted:
// it makes a pty from the container's own devpts instance, sends the
// master to the caller over the console socket (SCM_RIGHTS, with the
// slave's name as the message, as runc does), and makes the slave our
// controlling terminal and stdio.
func setupConsole(sockFD int, size *specs.Box) error {
	if sockFD < 0 {
		return fmt.Errorf("process.terminal is set but no console socket was passed")
	}
	master, slave, err := pty.Open()
	if err != nil {
		return fmt.Errorf("opening a pty in the container: %w", err)
	}
	defer master.Close()
	defer slave.Close()
	if size != nil {
		ws := &pty.Winsize{Rows: uint16(size.Height), Cols: uint16(size.Width)}
		if err := pty.Setsize(master, ws); err != nil {
			return fmt.Errorf("setting the console size: %w", err)
		}
	}
	rights := unix.UnixRights(int(master.Fd()))
	if err := unix.Sendmsg(sockFD, []byte(slave.Name()), rights, nil, 0); err != nil {
		return fmt.Errorf("sending the pty master over the console socket: %w", err)
	}
	unix.Close(sockFD)
	for fd := 0; fd < 3; fd++ {
		if err := unix.Dup3(int(slave.Fd()), fd, 0); err != nil {
			return fmt.Errorf("dup of the pty slave to fd %d: %w", fd, err)
		}
	}
	if err := unix.IoctlSetInt(0, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("making the pty the controlling terminal: %w", err)
	}
	return nil
}

// RecvConsole accepts one connection on l and returns the pty master that
// a container process sends over it.
func RecvConsole(l *net.UnixListener) (*os.File, error) {
	c, err := l.AcceptUnix()
	if err != nil {
		return nil, fmt.Errorf("accepting on the console socket: %w", err)
	}
	defer c.Close()
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, fmt.Errorf("receiving the pty master: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("receiving the pty master: no descriptor in the message")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, fmt.Errorf("receiving the pty master: bad rights message")
	}
	unix.CloseOnExec(fds[0])
	return os.NewFile(uintptr(fds[0]), string(buf[:n])), nil
}
