package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/image"
	"github.com/container-runtime/container-runtime/internal/version"
)

// Defaults.
const (
	defaultExecRoot   = "/run/container-runtime"
	socketName        = "container-runtimed.sock"
	systemEnvFile     = "/etc/container-runtime/.env"
	defaultShutdownIn = 10 * time.Second
)

// config is the daemon's resolved configuration.
type config struct {
	root, execRoot, socket string
	level                  slog.Level
	tlsListen              string
	tlsCert, tlsKey, tlsCA string
	pidfile                string
	shutdownTimeout        time.Duration
	showVersion            bool
	net                    netConfig
	dist                   distConfig

	// dockerSocket is a second socket serving the same API, for tools
	// that hard-code Docker's path (--docker-socket).
	dockerSocket string
}

// parseConfig resolves the configuration: flags first, then the
// environment (getenv), then the .env files (the first winning), then the
// defaults.
func parseConfig(args []string, getenv func(string) string, dotenvFiles []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("container-runtimed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.root, "root", "", "INSTALL_PATH: where images, containers and their databases live (env INSTALL_PATH, .env; default "+image.DefaultRoot+")")
	fs.StringVar(&c.execRoot, "exec-root", defaultExecRoot, "where the socket and runtime state live")
	fs.StringVar(&c.socket, "socket", "", "the API's UNIX socket (env CONTAINER_RUNTIME_SOCKET; default <exec-root>/"+socketName+")")
	level := fs.String("log-level", "", "debug, info, warn or error (env CONTAINER_RUNTIME_LOG_LEVEL; default info)")
	fs.StringVar(&c.tlsListen, "tls-listen", "", "also serve on this TCP address (host:port), with TLS and client certificates only")
	fs.StringVar(&c.tlsCert, "tlscert", "", "the server's TLS certificate (PEM), for --tls-listen")
	fs.StringVar(&c.tlsKey, "tlskey", "", "the server's TLS key (PEM), for --tls-listen")
	fs.StringVar(&c.tlsCA, "tlscacert", "", "the CA that signs accepted client certificates (PEM), for --tls-listen")
	fs.StringVar(&c.pidfile, "pidfile", "", "write the daemon's PID to this file (removed at exit)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", defaultShutdownIn, "how long running requests get to finish at SIGTERM")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.StringVar(&c.dockerSocket, "docker-socket", "", "also serve on this UNIX socket (the Docker Engine API and ours; e.g. /run/container-runtime/docker.sock)")
	c.net.addFlags(fs)
	c.dist.addFlags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q (the daemon takes flags only; see --help)", fs.Args())
	}
	if c.showVersion {
		return c, nil
	}

	dotenv, err := readEnvFiles(dotenvFiles...)
	if err != nil {
		return c, err
	}
	c.root = firstOf(c.root, getenv("INSTALL_PATH"), dotenv["INSTALL_PATH"], image.DefaultRoot)
	c.socket = firstOf(c.socket, getenv("CONTAINER_RUNTIME_SOCKET"), dotenv["CONTAINER_RUNTIME_SOCKET"], filepath.Join(c.execRoot, socketName))
	*level = firstOf(*level, getenv("CONTAINER_RUNTIME_LOG_LEVEL"), dotenv["CONTAINER_RUNTIME_LOG_LEVEL"], "info")
	if err := c.level.UnmarshalText([]byte(*level)); err != nil {
		return c, fmt.Errorf("--log-level %q: want debug, info, warn or error", *level)
	}
	if c.dockerSocket != "" {
		if c.dockerSocket, err = filepath.Abs(c.dockerSocket); err != nil {
			return c, err
		}
	}
	for _, p := range []*string{&c.root, &c.execRoot, &c.socket} {
		if *p, err = filepath.Abs(*p); err != nil {
			return c, err
		}
	}
	if c.tlsListen == "" && (c.tlsCert != "" || c.tlsKey != "" || c.tlsCA != "") {
		return c, errors.New("--tlscert, --tlskey and --tlscacert need --tls-listen")
	}
	if err := c.net.check(); err != nil {
		return c, err
	}
	return c, nil
}

// firstOf returns the first non-empty value.
func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// readEnvFiles reads KEY=VALUE files (the seed's .env), the first file
// winning over the later ones. Missing files are skipped.
func readEnvFiles(paths ...string) (map[string]string, error) {
	out := map[string]string{}
	for i := len(paths) - 1; i >= 0; i-- {
		f, err := os.Open(paths[i])
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("reading %s: %w", paths[i], err)
		}
		err = parseEnv(f, out)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", paths[i], err)
		}
	}
	return out, nil
}

// parseEnv reads the lines of a .env file into m: KEY=VALUE, with
// optional "export ", quotes around the value, blank lines and # comments.
func parseEnv(r io.Reader, m map[string]string) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return fmt.Errorf("line %d: want KEY=VALUE, got %q", n, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		m[k] = v
	}
	return sc.Err()
}

// printVersion prints the version as `container-runtimed --version` does.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "container-runtimed %s (API %s, OCI runtime-spec %s)\n", version.Version, api.Version, version.Spec)
}
