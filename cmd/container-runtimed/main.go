// Command container-runtimed is the container engine's daemon: it serves
// the HTTP API of docs/API.md on a UNIX socket (and, with client
// certificates, on TLS) and runs the containers, images and builds behind
// it.
//
// Configuration comes from flags, then the environment, then the seed's
// `.env` files (./.env, then /etc/container-runtime/.env), read when the
// daemon starts:
//
//	--root        INSTALL_PATH               images, containers, databases (/var/lib/container-runtime)
//	--exec-root                               sockets and runtime state (/run/container-runtime)
//	--socket      CONTAINER_RUNTIME_SOCKET   the API socket (<exec-root>/container-runtimed.sock)
//	--log-level   CONTAINER_RUNTIME_LOG_LEVEL debug, info, warn or error (info)
//
// The network manager keeps its state in INSTALL_PATH/network. Its
// bridge, subnet and nftables table are set by --bridge-name (crt0),
// --bridge-subnet (the first free of 10.66.0.0/16, ...), --nft-table
// (container-runtime), --address-pools and --bridge-prefix: a second
// daemon on the machine (a test's) must use other ones.
//
// The socket also serves the Docker Engine API (package daemon/docker):
// Docker's paths (/_ping, /vX.YY/...) never clash with ours (/v1/...).
// --docker-socket PATH serves both on a second socket, for tools that
// hard-code a Docker socket path.
//
// Registry credentials stored by login live in INSTALL_PATH/auth.json
// (--auth-file, env CONTAINER_RUNTIME_AUTH_FILE); the daemon's user's
// Docker config ($DOCKER_CONFIG or ~/.docker/config.json) is read too.
// --insecure-registry HOST[:PORT] (repeatable) allows plain HTTP to a
// registry that references name.
//
// Logs go to stderr as slog text (journald keeps them under systemd).
// SIGTERM or SIGINT stop it gracefully: no new connections, running
// requests get --shutdown-timeout to finish, the stores are closed.
// Containers keep running: their monitors are separate processes, and the
// next daemon adopts them again.
//
// After a crash (kill -9, power loss) the next start cleans what was left:
// build steps still running are killed and their mounts under
// INSTALL_PATH/builder removed; staged layers and containers without a
// record are removed. What cannot be removed is moved to
// INSTALL_PATH/quarantine/<time>-<name> and logged; a leftover never stops
// the start. The databases are checked before use (size, both bbolt meta
// pages, bbolt's consistency check up to 64 MiB). A damaged metadata.db or
// containers.db stops the daemon with a message naming the file: restore
// it from a backup, or move it aside and start again. Without metadata.db
// the layers are recorded again from INSTALL_PATH/layers (images and tags
// are lost); without containers.db the containers it recorded are stopped
// and their directories kept in INSTALL_PATH/quarantine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is the daemon's whole life; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, os.Getenv, []string{".env", systemEnvFile}, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "container-runtimed: %v\n", err)
		return 2
	}
	if cfg.showVersion {
		printVersion(stdout)
		return 0
	}
	if err := serve(ctx, cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "container-runtimed: %v\n", err)
		return 1
	}
	return 0
}
