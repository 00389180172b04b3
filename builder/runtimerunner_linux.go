package builder

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/seccomp"
	"github.com/container-runtime/container-runtime/runtime"
)

// RuntimeRunner runs RUN steps as real containers with package runtime:
// new PID, mount, UTS, IPC and cgroup namespaces (and network unless the
// step uses the host's), Docker's default capabilities and seccomp
// profile, masked and read-only paths, on the step's overlay root.
type RuntimeRunner struct {
	Runtime *runtime.Runtime
}

// Run implements Runner.
func (r RuntimeRunner) Run(ctx context.Context, req RunRequest) (int, error) {
	if len(req.Args) == 0 {
		return 0, fmt.Errorf("RUN: empty command: %w", errdefs.ErrInvalidArgument)
	}
	spec, err := stepSpec(req)
	if err != nil {
		return 0, err
	}
	id, err := stepID()
	if err != nil {
		return 0, err
	}
	stdout, waitOut, err := pipeTo(req.Stdout)
	if err != nil {
		return 0, err
	}
	stderr, waitErr, err := pipeTo(req.Stderr)
	if err != nil {
		stdout.Close()
		waitOut()
		return 0, err
	}
	st, err := r.Runtime.Run(ctx, id, runtime.CreateOptions{
		Bundle: req.Rootfs,
		Spec:   spec,
		Stdio:  runtime.Stdio{Stdout: stdout, Stderr: stderr},
	})
	stdout.Close()
	stderr.Close()
	waitOut()
	waitErr()
	if err != nil {
		return 0, fmt.Errorf("running %q: %w", req.Args, err)
	}
	return st.Code, nil
}

// stepSpec is the OCI spec of one RUN step.
func stepSpec(req RunRequest) (*specs.Spec, error) {
	spec := runtime.DefaultSpec()
	spec.Root = &specs.Root{Path: req.Rootfs}
	spec.Hostname = req.Hostname
	if spec.Hostname == "" {
		spec.Hostname = "build"
	}
	p := spec.Process
	p.Terminal = false
	p.Args = req.Args
	p.Env = req.Env
	p.Cwd = req.Cwd
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	// As Docker's builder: setuid programs (apt's sandbox user, su)
	// work in RUN steps.
	p.NoNewPrivileges = false
	if req.User != "" {
		own, err := resolveOwner(req.User, layerView{dirs: []string{req.Rootfs}})
		if err != nil {
			return nil, fmt.Errorf("USER %s: %w", req.User, err)
		}
		p.User = specs.User{UID: uint32(own.uid), GID: uint32(own.gid)}
	}
	var nss []specs.LinuxNamespace
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace && req.Network != NetworkNone {
			continue
		}
		nss = append(nss, ns)
	}
	spec.Linux.Namespaces = nss
	if req.Network != NetworkNone {
		// The host's name resolution, read-only, where the image has the
		// files (a mount target never created here, so the layer stays
		// clean).
		for _, f := range []string{"/etc/resolv.conf", "/etc/hosts"} {
			if _, err := os.Lstat(filepath.Join(req.Rootfs, f)); err != nil {
				continue
			}
			if _, err := os.Stat(f); err != nil {
				continue
			}
			spec.Mounts = append(spec.Mounts, specs.Mount{
				Destination: f, Type: "bind", Source: f,
				Options: []string{"rbind", "ro", "nosuid", "nodev", "noexec"},
			})
		}
	}
	spec.Mounts = append(spec.Mounts, req.Mounts...)
	sc, err := seccomp.Default(spec)
	if err != nil {
		return nil, fmt.Errorf("default seccomp profile: %w", err)
	}
	spec.Linux.Seccomp = sc
	return spec, nil
}

func stepID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return stepIDPrefix + hex.EncodeToString(b), nil
}

// pipeTo returns the write end of a pipe whose output is copied to w, and
// a function that waits for the copy to finish after the write end closed.
func pipeTo(w io.Writer) (*os.File, func(), error) {
	if w == nil {
		w = io.Discard
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("pipe for RUN output: %w", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer pr.Close()
		if _, err := io.Copy(w, pr); err != nil && !errors.Is(err, os.ErrClosed) {
			io.Copy(io.Discard, pr)
		}
	}()
	return pw, wg.Wait, nil
}
