package runtime

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/nsenter"
	"github.com/container-runtime/container-runtime/internal/rootfs"
)

// init dispatches re-executed copies of our binary to the container
// process stages. This is the only init() of the project (STYLE.md): a
// container process must not run the command's main.
func init() {
	if stage := os.Getenv(nsenter.EnvStage); stage != "" {
		containerStage(stage)
	}
}

// containerStage runs in the child cloned by the C stage of a create,
// already in the container's namespaces, and never returns: it becomes
// the container process or exits 1 after reporting why it could not. (An
// exec's clone never gets here: the C stage carries out its process plan
// itself, see exec_process in internal/nsenter/nsenter.c.)
func containerStage(stage string) {
	entered := time.Now().UnixNano()
	// Capabilities, no_new_privs and seccomp are per thread; execve runs
	// on this one, so everything is set up on it.
	goruntime.LockOSThread()
	sock := os.NewFile(uintptr(envFD(nsenter.EnvSyncFD)), "sync")
	conn := newSyncConn(sock)
	env := &stageEnv{
		fifoFD:    envFD(envFifoFD),
		consoleFD: envFD(envConsoleFD),
		reportFD:  envFD(envReportFD),
		seccompFD: envFD(envSeccompFD),
		preserve:  max(envFD(envPreserve), 0),
		fifo:      -1,
		stamps:    []int64{entered},
	}
	for _, k := range []string{nsenter.EnvStage, nsenter.EnvSyncFD, nsenter.EnvJoin, nsenter.EnvClone, nsenter.EnvInit, nsenter.EnvInitBounding, nsenter.EnvPidPipe, envFifoFD, envConsoleFD, envReportFD, envSeccompFD, envPreserve} {
		os.Unsetenv(k)
	}
	err := fmt.Errorf("protocol: stage %q does not run in Go", stage)
	if stage == stageInit {
		err = initStage(conn, env)
	}
	// Only failures get here.
	if env.fifo >= 0 {
		// Started: Start reads the reason from the fifo; the program's
		// stderr gets it too.
		unix.Write(env.fifo, []byte(err.Error()))
		fmt.Fprintf(os.Stderr, "container-runtime: %v\n", err)
	} else if conn.send(syncMsg{Type: msgError, Message: err.Error()}) != nil {
		fmt.Fprintf(os.Stderr, "container-runtime: %v\n", err)
	}
	os.Exit(1)
}

// stageEnv is what the parent passed besides the config.
type stageEnv struct {
	fifoFD, consoleFD, reportFD int
	// seccompFD is the sealed memfd of the compiled filter (-1: none).
	seccompFD int
	// fifo is the exec fifo opened for writing, once Start was called:
	// from then on failures are written there (-1 before).
	fifo int
	// preserve is how many descriptors from 3 on belong to the process.
	preserve int
	// stamps are the init's timestamps sent with "ready" (createPhases).
	stamps []int64
}

// stamp records the end of a phase of createPhases.
func (e *stageEnv) stamp() { e.stamps = append(e.stamps, time.Now().UnixNano()) }

func envFD(name string) int {
	v := os.Getenv(name)
	if v == "" {
		return -1
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return fd
}

// initStage sets up a new container and waits on the exec fifo; see the
// protocol in sync.go. The mounts are Go's; from the console on, the
// process stage of internal/nsenter (process.c) does the rest.
func initStage(conn *syncConn, env *stageEnv) error {
	cfg, err := conn.recvConfig()
	if err != nil {
		return err
	}
	proc, err := nsenter.NewProcess(cfg.Plan, env.seccompFD, env.preserve)
	if err != nil {
		return err
	}
	env.stamp() // config
	spec := cfg.Spec
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	if cfg.NewNetwork {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	ownMountNS := hasNamespace(spec, specs.MountNamespace)
	prepare := rootfs.Prepare
	if !ownMountNS {
		prepare = rootfs.PrepareInHostNamespace
	}
	if err := prepare(spec, cfg.Rootfs); err != nil {
		return fmt.Errorf("preparing rootfs: %w", err)
	}
	env.stamp() // mounts
	if err := conn.send(syncMsg{Type: msgHooks}); err != nil {
		return err
	}
	done, err := conn.expect(msgHooksDone)
	if err != nil {
		return err
	}
	if spec.Hooks != nil && len(spec.Hooks.CreateContainer) > 0 {
		if err := runHooks(context.Background(), "createContainer", spec.Hooks.CreateContainer, hookStateIn(cfg, done.Pid, StatusCreating)); err != nil {
			return err
		}
	}
	env.stamp() // hooks
	if ownMountNS {
		if err := rootfs.PivotRoot(cfg.Rootfs); err != nil {
			return fmt.Errorf("pivot_root to %s: %w", cfg.Rootfs, err)
		}
	} else if err := rootfs.Chroot(cfg.Rootfs); err != nil {
		// Without a mount namespace of our own pivot_root would move the
		// root of every process of the host's (hostmount_linux.go).
		return err
	}
	env.stamp() // pivot_root
	if err := setHostname(spec); err != nil {
		return err
	}
	if err := writeSysctls(spec.Linux.Sysctl); err != nil {
		return err
	}
	if proc.Terminal() {
		if err := proc.Console(env.consoleFD); err != nil {
			return err
		}
	}
	if err := rootfs.Finish(spec); err != nil {
		return fmt.Errorf("finishing rootfs: %w", err)
	}
	env.stamp() // setup
	// Limits, working directory, program, identity and capabilities are
	// set before we report ready, so that a bad user or cwd fails Create,
	// not Start.
	if err := proc.Enter(); err != nil {
		return err
	}
	env.stamp() // privileges
	if err := conn.send(syncMsg{Type: msgReady, Times: env.stamps}); err != nil {
		return err
	}
	// Blocks until Start opens the fifo. It stays open: it is
	// close-on-exec, so Start reads EOF once the program runs, or the
	// reason it could not run before EOF.
	if env.fifo, err = proc.OpenExecFifo(env.fifoFD); err != nil {
		return err
	}
	if spec.Hooks != nil && len(spec.Hooks.StartContainer) > 0 {
		if err := runHooks(context.Background(), "startContainer", spec.Hooks.StartContainer, hookStateIn(cfg, done.Pid, StatusCreated)); err != nil {
			return err
		}
	}
	if err := proc.Startup(env.reportFD); err != nil {
		return err
	}
	return proc.Exec()
}

func hookStateIn(cfg *initConfig, pid int, status Status) specs.State {
	st := specs.State{Version: specs.Version, ID: cfg.ID, Status: specs.ContainerState(status), Pid: pid, Bundle: cfg.Bundle}
	st.Annotations = cfg.Spec.Annotations
	return st
}

func setHostname(spec *specs.Spec) error {
	if spec.Hostname != "" {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return fmt.Errorf("sethostname %q: %w", spec.Hostname, err)
		}
	}
	if spec.Domainname != "" {
		if err := unix.Setdomainname([]byte(spec.Domainname)); err != nil {
			return fmt.Errorf("setdomainname %q: %w", spec.Domainname, err)
		}
	}
	return nil
}

// writeSysctls writes each key under the container's /proc/sys.
func writeSysctls(sysctls map[string]string) error {
	for k, v := range sysctls {
		if strings.Contains(k, "..") || strings.ContainsRune(k, '/') && strings.Contains(k, ".") {
			return fmt.Errorf("linux.sysctl: key %q is not valid", k)
		}
		path := filepath.Join("/proc/sys", strings.ReplaceAll(k, ".", "/"))
		if err := os.WriteFile(path, []byte(v), 0); err != nil {
			return fmt.Errorf("linux.sysctl: writing %s=%s: %w", k, v, err)
		}
	}
	return nil
}

// loopbackUp brings up lo in a new network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket for lo: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("reading flags of lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing lo up: %w", err)
	}
	return nil
}
