package daemon

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
)

// SocketGroup is the group that may use the daemon's socket when it
// exists (as Docker's "docker" group: its members are root-equivalent).
const SocketGroup = "container-runtime"

// UnixListener is the daemon's UNIX socket listener. Close removes the
// socket and releases the lock.
type UnixListener struct {
	net.Listener
	lock *os.File
}

// Close stops listening, removes the socket file and releases the lock.
func (l *UnixListener) Close() error {
	err := l.Listener.Close()
	l.lock.Close()
	return err
}

// ListenUnix listens on the UNIX socket path for the daemon. Its
// directory is created with mode 0711; the socket gets mode 0660 and, when
// the group SocketGroup exists, that group.
//
// Only one daemon may serve a socket: a lock on path+".lock" (held until
// Close, released by the kernel when the process dies) and a connection
// attempt decide. If another daemon holds the lock or answers on the
// socket, ListenUnix fails with ErrUnavailable; a socket nothing answers
// on (left by a daemon that was killed) is removed and replaced.
func ListenUnix(path string) (*UnixListener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o711); err != nil {
		return nil, fmt.Errorf("creating the socket directory: %w", err)
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the socket lock: %w", err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errdefs.Kindf(errdefs.ErrUnavailable, "another container-runtimed is running on %s (it holds %s.lock); stop it first", path, path)
		}
		return nil, fmt.Errorf("locking %s.lock: %w", path, err)
	}
	if err := removeStaleSocket(path); err != nil {
		lock.Close()
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("listening on %s: %w", path, err)
	}
	if err := setSocketAccess(path); err != nil {
		l.Close()
		lock.Close()
		return nil, err
	}
	return &UnixListener{Listener: l, lock: lock}, nil
}

// removeStaleSocket removes path if it is a socket nothing answers on. A
// socket that answers belongs to a live daemon (one that predates the
// lock, or serves the path from another mount namespace).
func removeStaleSocket(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	if st.Mode().Type() != os.ModeSocket {
		return errdefs.Kindf(errdefs.ErrConflict, "%s exists and is not a socket; remove it or choose another --socket", path)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return errdefs.Kindf(errdefs.ErrUnavailable, "another daemon answers on %s; stop it first", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checking whether a daemon answers on %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the stale socket %s: %w", path, err)
	}
	return nil
}

// setSocketAccess gives the socket mode 0660 and the group SocketGroup
// when it exists.
func setSocketAccess(path string) error {
	if err := os.Chmod(path, 0o660); err != nil {
		return fmt.Errorf("setting the mode of %s: %w", path, err)
	}
	g, err := user.LookupGroup(SocketGroup)
	if err != nil {
		// No such group: root only.
		return nil
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return fmt.Errorf("group %s has gid %q: %w", SocketGroup, g.Gid, err)
	}
	if err := os.Chown(path, -1, gid); err != nil {
		return fmt.Errorf("giving %s to group %s: %w", path, SocketGroup, err)
	}
	return nil
}

// TLSFiles are the PEM files of the TCP listener.
type TLSFiles struct {
	Cert, Key string
	// CA signs the client certificates accepted.
	CA string
}

// ListenTLS listens on the TCP address addr with TLS, requiring and
// verifying a client certificate signed by files.CA. Plain TCP is
// refused: the API gives root on this machine to anyone who reaches it.
func ListenTLS(addr string, files TLSFiles) (net.Listener, error) {
	if files.Cert == "" || files.Key == "" || files.CA == "" {
		return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "listening on TCP %s needs --tlscert, --tlskey and --tlscacert: "+
			"plain TCP is refused, since anyone reaching the port would be root here", addr)
	}
	cfg, err := serverTLSConfig(files)
	if err != nil {
		return nil, err
	}
	l, err := tls.Listen("tcp", addr, cfg)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return l, nil
}

// serverTLSConfig loads the certificates of files.
func serverTLSConfig(files TLSFiles) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(files.Cert, files.Key)
	if err != nil {
		return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "loading the TLS certificate %s and key %s: %w", files.Cert, files.Key, err)
	}
	pem, err := os.ReadFile(files.CA)
	if err != nil {
		return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "reading the client CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "%s holds no PEM certificate", files.CA)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}, nil
}
