package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
)

// serveRegistry is the child's side: serve a registry on 127.0.0.1, print
// its host:port, and return when stdin closes (the parent stopped it or
// died).
func serveRegistry() error {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))}
	go srv.Serve(l)
	fmt.Println(l.Addr().String())
	io.Copy(io.Discard, os.Stdin)
	return srv.Close()
}

// registry is a registry child process.
type registry struct {
	host  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startRegistry starts a registry child and waits for its address.
func startRegistry(ctx context.Context) (*registry, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-serve-registry")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the registry: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stdin.Close()
		cmd.Wait()
		return nil, fmt.Errorf("starting the registry: %w", err)
	}
	return &registry{host: strings.TrimSpace(line), cmd: cmd, stdin: stdin}, nil
}

// stop ends the child (closing its stdin) and waits for it.
func (r *registry) stop() {
	r.stdin.Close()
	r.cmd.Wait()
}
