package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/envpath"
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

// containerStage runs in the child cloned by the C stage, already in the
// container's namespaces, and never returns: it executes the user process
// or exits 1 after reporting why it could not.
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
	for _, k := range []string{nsenter.EnvStage, nsenter.EnvSyncFD, nsenter.EnvJoin, nsenter.EnvClone, nsenter.EnvInit, nsenter.EnvInitPlan, nsenter.EnvPidPipe, envFifoFD, envConsoleFD, envReportFD, envSeccompFD, envPreserve} {
		os.Unsetenv(k)
	}
	var err error
	if stage == stageExec {
		err = execStage(conn, env)
	} else {
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
	// late are the process's rlimits that wait until just before its
	// program runs (see lateLimit).
	late []lateLimit
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
// protocol in sync.go.
func initStage(conn *syncConn, env *stageEnv) error {
	cfg, err := readConfig(conn, env)
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
	p := spec.Process
	if p.Terminal {
		if err := setupConsole(env.consoleFD, p.ConsoleSize); err != nil {
			return err
		}
	}
	if err := rootfs.Finish(spec); err != nil {
		return fmt.Errorf("finishing rootfs: %w", err)
	}
	env.stamp() // setup
	// Identity, capabilities and working directory are set before we
	// report ready, so that a bad user or cwd fails Create, not Start.
	target, err := enterProcess(p, cfg, env)
	if err != nil {
		return err
	}
	env.stamp() // privileges
	if err := conn.send(syncMsg{Type: msgReady, Times: env.stamps}); err != nil {
		return err
	}
	// The fifo is reopened through the container's procfs, checked to be
	// one, and the result checked to be the fifo we were given: no host
	// directory is held for it (see cwd_linux.go). The fifo is 0622 so
	// that a non-root process user may open it; a process may always look
	// up its own /proc/self/fd entries.
	fifo, err := reopenExecFifo(env.fifoFD)
	if err != nil {
		return fmt.Errorf("reopening the exec fifo: %w", err)
	}
	if _, err := unix.Write(fifo, []byte{0}); err != nil {
		return fmt.Errorf("writing the exec fifo: %w", err)
	}
	// The fifo stays open: it is close-on-exec, so Start reads EOF once
	// the program runs, or the reason it could not run before EOF.
	env.fifo = fifo
	if spec.Hooks != nil && len(spec.Hooks.StartContainer) > 0 {
		if err := runHooks(context.Background(), "startContainer", spec.Hooks.StartContainer, hookStateIn(cfg, done.Pid, StatusCreated)); err != nil {
			return err
		}
	}
	seccompLoaded := false
	if len(cfg.StartupCommands) > 0 {
		// Startup commands run under the same limits and filter as the
		// program.
		if err := applyLateLimits(env); err != nil {
			return err
		}
		if err := loadLateSeccomp(p, cfg.Seccomp, &seccompLoaded); err != nil {
			return err
		}
		if err := runStartupCommands(cfg.StartupCommands, p, env.reportFD); err != nil {
			return err
		}
	}
	return execProgram(p, cfg.Seccomp, target, env, seccompLoaded)
}

// execStage runs a process inside a running container: the C stage has
// already entered every namespace, the mount namespace included.
func execStage(conn *syncConn, env *stageEnv) error {
	cfg, err := readConfig(conn, env)
	if err != nil {
		return err
	}
	p := cfg.Process
	if !hasNamespace(cfg.Spec, specs.MountNamespace) {
		// No mount namespace to join: the container's root is its
		// init's chroot, entered before anything is resolved.
		if err := rootfs.ChrootInto(cfg.InitPid); err != nil {
			return fmt.Errorf("entering the root of the container's init %d: %w", cfg.InitPid, err)
		}
	}
	if p.Terminal {
		if _, err := unix.Setsid(); err != nil {
			return fmt.Errorf("setsid: %w", err)
		}
		if err := setupConsole(env.consoleFD, p.ConsoleSize); err != nil {
			return err
		}
	}
	target, err := enterProcess(p, cfg, env)
	if err != nil {
		return err
	}
	return execProgram(p, cfg.Seccomp, target, env, false)
}

// readConfig reads the "config" message, and the compiled seccomp
// program from its memfd.
func readConfig(conn *syncConn, env *stageEnv) (*initConfig, error) {
	cfg, err := conn.recvConfig()
	if err != nil {
		return nil, err
	}
	if env.seccompFD >= 0 {
		if cfg.Seccomp, err = readSealedFile(env.seccompFD); err != nil {
			return nil, fmt.Errorf("reading the seccomp program: %w", err)
		}
	}
	return cfg, nil
}

// enterProcess is the end of the setup of a container's init and of an
// exec alike: the process's rlimits, its working directory (last: no
// mount can cover the directory entered now), its program looked up in
// its PATH, then its identity and capabilities. It returns the program's
// path for execProgram.
func enterProcess(p *specs.Process, cfg *initConfig, env *stageEnv) (string, error) {
	// The filter is loaded before execProgram unless no_new_privs lets
	// it wait (see dropPrivileges): limits set after it could be denied.
	lateFilter := cfg.Seccomp == nil || p.NoNewPrivileges
	late, err := setProcessLimits(p, lateFilter)
	if err != nil {
		return "", err
	}
	env.late = late
	if err := enterCwd(p.Cwd, env.preserve); err != nil {
		return "", err
	}
	target, err := lookPath(p.Args[0], p.Env)
	if err != nil {
		return "", err
	}
	if err := dropPrivileges(p, cfg.Seccomp); err != nil {
		return "", err
	}
	return target, nil
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

// setProcessLimits applies oom_score_adj and rlimits. An rlimit above the
// current hard limit needs CAP_SYS_RESOURCE, which hosts like ours lack:
// the error then says so instead of a bare EPERM. With mayDefer, the
// memory limits that lower the current ones are returned instead, for
// applyLateLimits.
func setProcessLimits(p *specs.Process, mayDefer bool) ([]lateLimit, error) {
	if p.OOMScoreAdj != nil {
		v := strconv.Itoa(*p.OOMScoreAdj)
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(v), 0); err != nil {
			// The kernel answers EACCES to a value below the lowest one
			// the process was given without CAP_SYS_RESOURCE.
			if errors.Is(err, unix.EACCES) && *p.OOMScoreAdj < 0 {
				return nil, fmt.Errorf("process.oomScoreAdj: writing %s: a negative adjustment needs CAP_SYS_RESOURCE, which the runtime lacks: %w", v, err)
			}
			return nil, fmt.Errorf("process.oomScoreAdj: writing %s: %w", v, err)
		}
	}
	var late []lateLimit
	for _, rl := range p.Rlimits {
		res, ok := rlimitResources[rl.Type]
		if !ok {
			return nil, fmt.Errorf("process.rlimits: unknown type %q", rl.Type)
		}
		lim := unix.Rlimit{Cur: rl.Soft, Max: rl.Hard}
		var cur unix.Rlimit
		unix.Getrlimit(res, &cur)
		if mayDefer && (res == unix.RLIMIT_AS || res == unix.RLIMIT_DATA) && rl.Hard <= cur.Max && rl.Soft <= rl.Hard {
			late = append(late, lateLimit{name: rl.Type, res: res, lim: lim})
			continue
		}
		if err := unix.Setrlimit(res, &lim); err != nil {
			if errors.Is(err, unix.EPERM) && rl.Hard > cur.Max {
				return nil, fmt.Errorf("process.rlimits: %s hard limit %d is above the current %d and raising it needs CAP_SYS_RESOURCE: %w", rl.Type, rl.Hard, cur.Max, err)
			}
			return nil, fmt.Errorf("process.rlimits: setting %s to %d/%d: %w", rl.Type, rl.Soft, rl.Hard, err)
		}
	}
	return late, nil
}

// A lateLimit is an rlimit set just before the program runs. RLIMIT_AS
// and RLIMIT_DATA bound this stage's Go runtime too, which maps more
// memory as it goes on (heap spans, thread stacks): with a limit as low
// as a program may ask (runtime-tools asks 1 GiB of address space; a Go
// process reserves about that much at start) the stage died of "fatal
// error: runtime: cannot allocate memory" at random. Lowering a limit
// needs no privilege, so it can wait until the identity is the
// process's; only lowering ones wait (the soft limit checked against
// the hard one here, so that setting them cannot fail for that).
type lateLimit struct {
	name string
	res  int
	lim  unix.Rlimit
}

// applyLateLimits sets env.late, once.
func applyLateLimits(env *stageEnv) error {
	for _, l := range env.late {
		if err := unix.Setrlimit(l.res, &l.lim); err != nil {
			return fmt.Errorf("process.rlimits: setting %s to %d/%d: %w", l.name, l.lim.Cur, l.lim.Max, err)
		}
	}
	env.late = nil
	return nil
}

var rlimitResources = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE,
	"RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK": unix.RLIMIT_STACK,
}

// lookPath finds file in the PATH of the container's environment.
func lookPath(file string, env []string) (string, error) {
	if strings.Contains(file, "/") {
		if err := executable(file); err != nil {
			return "", fmt.Errorf("process.args[0] %q: %w", file, err)
		}
		return file, nil
	}
	for _, dir := range filepath.SplitList(envpath.Of(env)) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("process.args[0] %q: executable file not found in $PATH", file)
}

func executable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("is a directory")
	}
	if fi.Mode()&0o111 == 0 {
		return fmt.Errorf("permission denied")
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

// closeExtraFDs marks every descriptor above stderr and the preserved ones
// close-on-exec, so no descriptor of ours reaches the container process:
// one close_range(2) (Linux 5.11), or each descriptor /proc lists on an
// older kernel.
func closeExtraFDs(preserve int) error {
	first := 3 + preserve
	if err := unix.CloseRange(uint(first), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err == nil {
		return nil
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < first {
			continue
		}
		unix.CloseOnExec(fd)
	}
	return nil
}
