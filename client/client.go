package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// DefaultHost is the daemon's default address.
const DefaultHost = "unix:///run/container-runtime/container-runtimed.sock"

// Environment variables read by FromEnv.
const (
	// EnvHost overrides DefaultHost: unix:///path or tcp://host:port.
	EnvHost = "CONTAINER_RUNTIME_HOST"
	// EnvCertPath names a directory holding ca.pem, cert.pem and key.pem,
	// the TLS client credentials used for tcp:// hosts.
	EnvCertPath = "CONTAINER_RUNTIME_CERT_PATH"
)

// Options configure New.
type Options struct {
	// Host is unix:///path/to.sock or tcp://host:port; DefaultHost when
	// empty. A bare absolute path is taken as a UNIX socket.
	Host string
	// TLS is the client's TLS configuration (with its client certificate);
	// a tcp:// host requires it, since the daemon refuses plain TCP.
	TLS *tls.Config
}

// Client calls container-runtimed's API. It is safe for concurrent use.
type Client struct {
	host string // as configured, for messages
	base string // scheme://authority prefixed to every route
	http *http.Client
	tr   *http.Transport
}

// New returns a client of the daemon at opts.Host. It does not connect:
// the first call does.
func New(opts Options) (*Client, error) {
	host := opts.Host
	if host == "" {
		host = DefaultHost
	}
	if strings.HasPrefix(host, "/") {
		host = "unix://" + host
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("parsing daemon address %q: %w", host, errInvalid(err))
	}
	c := &Client{host: host}
	// HTTP/1.1 only: attach and exec upgrade the connection, which HTTP/2
	// cannot do.
	c.tr = &http.Transport{
		DisableCompression:  true,
		MaxIdleConnsPerHost: 8,
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	switch u.Scheme {
	case "unix":
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		if path == "" {
			return nil, fmt.Errorf("daemon address %q has no socket path: %w", host, errInvalidArgument)
		}
		var d net.Dialer
		c.tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		}
		// The authority is ignored by the dialer; a fixed name keeps
		// every request on one connection pool.
		c.base = "http://container-runtimed"
	case "tcp", "https":
		if opts.TLS == nil {
			return nil, fmt.Errorf("daemon address %q: TCP needs TLS client certificates (set %s or the --tls flags): %w",
				host, EnvCertPath, errInvalidArgument)
		}
		tc := opts.TLS.Clone()
		tc.NextProtos = []string{"http/1.1"}
		c.tr.TLSClientConfig = tc
		c.base = "https://" + u.Host
	default:
		return nil, fmt.Errorf("daemon address %q: scheme must be unix or tcp: %w", host, errInvalidArgument)
	}
	c.http = &http.Client{Transport: c.tr}
	return c, nil
}

// FromEnv returns a client configured from EnvHost and EnvCertPath.
func FromEnv() (*Client, error) {
	opts := Options{Host: os.Getenv(EnvHost)}
	if dir := os.Getenv(EnvCertPath); dir != "" {
		tc, err := TLSConfig(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
		if err != nil {
			return nil, err
		}
		opts.TLS = tc
	}
	return New(opts)
}

// Host returns the daemon address the client uses.
func (c *Client) Host() string { return c.host }

// Close releases idle connections.
func (c *Client) Close() error {
	c.tr.CloseIdleConnections()
	return nil
}
