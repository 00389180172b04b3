package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/nsenter"
	"github.com/container-runtime/container-runtime/internal/privdir"
	"github.com/container-runtime/container-runtime/internal/rootfs"
)

// New returns a Runtime keeping state under root. Nothing is made on disk
// until a container is created, so that a create refused for bad input
// leaves no trace.
func New(root string) (*Runtime, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("runtime root %q: %w", root, err)
	}
	return &Runtime{Root: abs}, nil
}

// Create sets up the container id from opts.Bundle: namespaces, cgroup
// and mounts are ready and the init process waits for Start. The init
// process is a child of the caller, which may wait for it (Process.Wait).
// On failure nothing is left: no process, cgroup or state directory.
func (r *Runtime) Create(ctx context.Context, id string, opts CreateOptions) (_ *Process, retErr error) {
	log := logctx.From(ctx).With("container", id)
	clock := &phaseClock{begin: time.Now()}
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	bundle, err := filepath.Abs(opts.Bundle)
	if err != nil {
		return nil, fmt.Errorf("bundle %q: %w", opts.Bundle, err)
	}
	spec := opts.Spec
	if spec == nil {
		if spec, err = LoadBundle(bundle); err != nil {
			return nil, err
		}
	}
	// The seccomp filter is checked by compiling it below (cached), not
	// twice.
	if err := Validate(withoutSeccomp(spec), bundle); err != nil {
		return nil, err
	}
	if err := checkHostMountNamespace(spec, opts); err != nil {
		return nil, err
	}
	plan, err := planNamespaces(spec.Linux.Namespaces)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errdefs.ErrInvalidArgument, err)
	}
	rootfsPath := spec.Root.Path
	if !filepath.IsAbs(rootfsPath) {
		rootfsPath = filepath.Join(bundle, rootfsPath)
	}

	if err := privdir.MkdirAll(r.Root); err != nil {
		return nil, fmt.Errorf("creating runtime root %s: %w", r.Root, err)
	}
	dir := r.dir(id)
	if err := privdir.Mkdir(dir); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("container %q: %w", id, errdefs.ErrAlreadyExists)
		}
		return nil, fmt.Errorf("creating state directory: %w", err)
	}
	var undo []func()
	defer func() {
		if retErr != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	undo = append(undo, func() { os.RemoveAll(dir) })

	fifo, err := makeExecFifo(dir, hostRootID(spec.Linux.UIDMappings), hostRootID(spec.Linux.GIDMappings))
	if err != nil {
		return nil, err
	}
	defer fifo.Close()

	var console *os.File
	if spec.Process.Terminal {
		if opts.ConsoleSocket == "" {
			return nil, fmt.Errorf("process.terminal is set: a console socket is required: %w", errdefs.ErrInvalidArgument)
		}
		if console, err = dialConsole(opts.ConsoleSocket); err != nil {
			return nil, err
		}
		defer console.Close()
	}

	res := withDeviceAccess(spec.Linux.Resources, spec.Linux.Devices)
	cg, err := cgroup.New(id, spec.Linux.CgroupsPath, res)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errdefs.ErrInvalidArgument, err)
	}
	undo = append(undo, func() {
		if err := cg.Destroy(); err != nil {
			log.Warn("removing cgroup after failed create", "error", err)
		}
	})
	// A record in state "creating" (no PID yet) is written before the
	// cgroup exists on disk, so that if we die half-way, Delete knows
	// which cgroup to remove. The cgroup is made, with its limits, before
	// the stage starts, which joins it by itself (cgroupJoin).
	rec := &record{
		ID: id, Bundle: bundle, Rootfs: rootfsPath,
		Created: time.Now().UTC(), Owner: owner(), CgroupPaths: cg.Paths(), Config: spec,
	}
	if !hasNamespace(spec, specs.MountNamespace) {
		// Shared mount namespace: every mount of the container is made
		// below this one, in the host's namespace (hostmount_linux.go).
		hr, err := rootfs.BindHostRoot(rootfsPath)
		if err != nil {
			return nil, fmt.Errorf("binding the rootfs of %q in the host's mount namespace: %w", id, err)
		}
		rec.HostRoot = &hr
		undo = append(undo, func() {
			if err := rootfs.UnmountHostRoot(hr); err != nil {
				log.Warn("unmounting the rootfs after failed create", "error", err)
			}
		})
	}
	if err := r.save(rec); err != nil {
		return nil, err
	}
	if err := cg.Create(); err != nil {
		return nil, fmt.Errorf("creating container %q: %w", id, err)
	}
	join, err := openCgroupJoin(cg.Paths())
	if err != nil {
		return nil, err
	}
	defer join.close()
	prog, err := r.seccompProgram(spec.Linux.Seccomp)
	if err != nil {
		return nil, err
	}
	procPlan, err := nsenter.EncodePlan(spec.Process, nsenter.PlanOptions{Startup: opts.StartupCommands})
	if err != nil {
		return nil, fmt.Errorf("creating container %q: %w", id, err)
	}
	var initBounding uint64
	if opts.Init {
		if initBounding, err = boundingMask(spec.Process.Capabilities); err != nil {
			return nil, fmt.Errorf("creating container %q: %w", id, err)
		}
	}
	cfg := initConfig{
		ID: id, Bundle: bundle, Rootfs: rootfsPath, Spec: stageSpec(spec), Plan: procPlan, Init: opts.Init,
		NewNetwork: plan.clone&unix.CLONE_NEWNET != 0,
	}
	proc, err := r.spawnInCgroups(ctx, spawnRequest{
		stage: stageInit, plan: plan, dir: bundle,
		uidMap: spec.Linux.UIDMappings, gidMap: spec.Linux.GIDMappings,
		fifo: fifo, console: console, report: opts.StartupReport, launcher: opts.Launcher,
		stdio: opts.Stdio, extra: opts.ExtraFiles,
		config: cfg, initBounding: initBounding, seccomp: prog, clock: clock,
	}, join)
	if err != nil {
		return nil, fmt.Errorf("creating container %q: %w", id, err)
	}
	defer proc.close()
	undo = append(undo, func() { killAndReap(proc.pid) })

	start, _, err := procStat(proc.pid)
	if err != nil {
		return nil, fmt.Errorf("reading start time of %d: %w", proc.pid, err)
	}
	rec.Pid, rec.StartTime = proc.pid, start

	if _, err := proc.conn.expect(msgHooks); err != nil {
		return nil, fmt.Errorf("creating container %q: %w", id, err)
	}
	st := r.hookState(rec, StatusCreating)
	if spec.Hooks != nil {
		err = runHooks(ctx, "prestart", spec.Hooks.Prestart, st) //nolint:staticcheck // still part of the spec
		if err == nil {
			err = runHooks(ctx, "createRuntime", spec.Hooks.CreateRuntime, st)
		}
		if err != nil {
			proc.conn.send(syncMsg{Type: msgError, Message: err.Error()})
			return nil, fmt.Errorf("creating container %q: %w", id, err)
		}
	}
	if err := proc.conn.send(syncMsg{Type: msgHooksDone, Pid: proc.pid}); err != nil {
		return nil, err
	}
	ready, err := proc.conn.expect(msgReady)
	if err != nil {
		return nil, fmt.Errorf("creating container %q: %w", id, err)
	}
	clock.init = ready.Times
	if err := r.save(rec); err != nil {
		return nil, err
	}
	if opts.PidFile != "" {
		// A PID means nothing after a reboot: no syncs (save).
		if err := atomicfile.WriteVolatile(opts.PidFile, []byte(strconv.Itoa(proc.pid)), 0o644); err != nil {
			return nil, err
		}
	}
	phases, _ := clock.phases(time.Now())
	log.Debug("created", "pid", proc.pid, "phases", phases)
	return &Process{Pid: proc.pid, Phases: phases, cgroup: cg, rec: rec}, nil
}

// makeExecFifo creates the fifo that holds the init process between create
// and start, and returns an O_PATH handle the init process reopens for
// writing (so it never resolves a path after pivot_root). The fifo belongs
// to uid:gid, the host ids of the container's root: in a user namespace
// the init process is not host root when it reopens the fifo, and the
// reopen checks the fifo's permissions.
func makeExecFifo(dir string, uid, gid int) (*os.File, error) {
	path := filepath.Join(dir, fifoFile)
	// 0622: the process user, who may not be root, opens it for writing.
	if err := unix.Mkfifo(path, 0o622); err != nil {
		return nil, fmt.Errorf("creating exec fifo %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o622); err != nil { // past the umask
		return nil, fmt.Errorf("chmod exec fifo %s: %w", path, err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return nil, fmt.Errorf("chown %d:%d exec fifo %s: %w", uid, gid, path, err)
	}
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening exec fifo %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// dialConsole connects to the caller's console socket; the init process
// sends the pty master over it.
func dialConsole(path string) (*os.File, error) {
	addr := path
	if len(path) >= len(unix.RawSockaddrUnix{}.Path) {
		// Longer than sun_path: reach it through a handle on its
		// directory, whose /proc/self/fd path is short.
		dir, err := os.OpenFile(filepath.Dir(path), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("console socket %s: %w", path, err)
		}
		defer dir.Close()
		addr = "/proc/self/fd/" + strconv.Itoa(int(dir.Fd())) + "/" + filepath.Base(path)
	}
	c, err := net.Dial("unix", addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to console socket %s: %w", path, err)
	}
	defer c.Close()
	f, err := c.(*net.UnixConn).File()
	if err != nil {
		return nil, fmt.Errorf("console socket %s: %w", path, err)
	}
	return f, nil
}

// hostRootID returns the host id that id 0 of the container maps to, or
// -1 (chown: leave as is) without a mapping.
func hostRootID(mappings []specs.LinuxIDMapping) int {
	for _, m := range mappings {
		if m.ContainerID == 0 && m.Size > 0 {
			return int(m.HostID)
		}
	}
	return -1
}

func owner() string {
	if os.Geteuid() == 0 {
		return "root"
	}
	return strconv.Itoa(os.Geteuid())
}

// stageSpec is what the init stage gets of spec: a shallow copy without
// the seccomp profile (often most of the spec's bytes) and without the
// process, both of which travel compiled (the sealed filter, the process
// plan) and would be encoded and decoded for nothing.
func stageSpec(spec *specs.Spec) *specs.Spec {
	s := *withoutSeccomp(spec)
	s.Process = nil
	return &s
}

// withoutSeccomp returns a shallow copy of spec without linux.seccomp.
func withoutSeccomp(spec *specs.Spec) *specs.Spec {
	if spec.Linux == nil || spec.Linux.Seccomp == nil {
		return spec
	}
	s, l := *spec, *spec.Linux
	l.Seccomp = nil
	s.Linux = &l
	return &s
}
