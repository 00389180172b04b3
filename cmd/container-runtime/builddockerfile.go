package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/container-runtime/container-runtime/api"
)

// maxDockerfileBytes bounds a Dockerfile the CLI reads and sends itself.
// Docker's CLI reads one whole; ours travels in the daemon's JSON request
// body, which is at most 1 MiB (daemon's maxJSONBody) once escaped.
// Dockerfiles are a few KiB; half a MiB leaves room for the escaping.
const maxDockerfileBytes = 512 << 10

// stdinDockerfile names a Dockerfile read from stdin (-f -) in messages.
const stdinDockerfile = "stdin"

// setDockerfile fills req.Dockerfile for -f FILE (FILE may be relative
// to our working directory; "-" is stdin) and the absolute context
// req.ContextDir. The daemon reads a Dockerfile only inside the context,
// resolving its symlinks there; one elsewhere (or one whose symlinks
// lead elsewhere, or stdin) we read and send as req.DockerfileContent,
// as Docker's CLI sends it inside the context it uploads. req.Dockerfile
// then only names it in the daemon's messages ("FILE:LINE: ...").
func (c *cli) setDockerfile(req *api.BuildRequest, file string) error {
	if file == "-" {
		content, err := readDockerfile(c.in, stdinDockerfile)
		if err != nil {
			return err
		}
		req.Dockerfile, req.DockerfileContent = stdinDockerfile, content
		return nil
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	req.Dockerfile = abs
	if daemonReadable(req.ContextDir, abs) {
		return nil
	}
	req.DockerfileContent, err = readDockerfileFile(abs)
	return err
}

// daemonReadable tells whether the daemon, which resolves the Dockerfile
// inside the context, finds the file we mean at path: it lies in ctxDir
// and no symlink on the way leads elsewhere. A path we cannot resolve
// (missing) is left to the daemon, whose error names it.
func daemonReadable(ctxDir, path string) bool {
	rel, err := filepath.Rel(ctxDir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return false
	}
	realCtx, err := filepath.EvalSymlinks(ctxDir)
	if err != nil {
		return true
	}
	realPath, err := filepath.EvalSymlinks(path)
	if err != nil {
		return true
	}
	return realPath == filepath.Join(realCtx, rel)
}

// readDockerfileFile reads the Dockerfile at path, which must be a
// regular file: a FIFO or a device could block or never end.
func readDockerfileFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading the Dockerfile: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("the Dockerfile %s is not a regular file (%s)", path, fileType(fi.Mode()))
	}
	// O_NONBLOCK: should it have been swapped for a FIFO since the
	// Stat, the open must not wait for a writer; Stat checks again.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", fmt.Errorf("reading the Dockerfile: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("the Dockerfile %s is not a regular file", path)
	}
	return readDockerfile(f, path)
}

// readDockerfile reads a Dockerfile named name from r, refusing one
// larger than maxDockerfileBytes or empty (as Docker does).
func readDockerfile(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxDockerfileBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading the Dockerfile %s: %w", name, err)
	}
	switch {
	case len(b) > maxDockerfileBytes:
		return "", fmt.Errorf("the Dockerfile %s is larger than %d KiB", name, maxDockerfileBytes>>10)
	case len(b) == 0:
		return "", errors.New("the Dockerfile " + name + " is empty")
	}
	return string(b), nil
}

// fileType names the type of a file that is not a regular one.
func fileType(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}
