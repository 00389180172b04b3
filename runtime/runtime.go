// Package runtime turns an OCI runtime-spec bundle into an isolated process
// and manages it through the OCI lifecycle: create, start, state, kill and
// delete, plus run (create, start and wait) and exec (a second process in
// a running container).
//
// Each container has a state directory under Runtime.Root holding
// state.json and, until the container is started, the exec fifo. Processes
// are started by re-executing a sealed copy of our own binary; see
// init_linux.go for the protocol between the parent and the init stage.
package runtime

import (
	"os"
	"sync/atomic"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Status is the OCI status of a container.
type Status string

// The statuses of the OCI runtime specification.
const (
	StatusCreating Status = "creating"
	StatusCreated  Status = "created"
	StatusRunning  Status = "running"
	StatusStopped  Status = "stopped"
	// StatusPaused is runc's addition: the cgroup is frozen.
	StatusPaused Status = "paused"
)

// State is what `state` prints, in runc's shape so that containerd's
// go-runc and dockerd parse it unchanged.
type State struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      Status            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Owner       string            `json:"owner"`
}

// Stdio is the standard input, output and error handed to a container
// process when it has no terminal. Nil members are /dev/null.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
}

// CreateOptions tune Create.
type CreateOptions struct {
	// Bundle is the directory holding config.json; rootfs is relative to it.
	Bundle string
	// PidFile, when set, receives the init process's host PID.
	PidFile string
	// ConsoleSocket is the path of a UNIX socket that receives the pty
	// master (SCM_RIGHTS) when the process asks for a terminal.
	ConsoleSocket string
	// Stdio is used when the process has no terminal.
	Stdio Stdio
	// ExtraFiles are passed to the process as descriptors 3, 4, ... (runc's
	// --preserve-fds: socket activation and the like).
	ExtraFiles []*os.File
	// StartupCommands run in order inside the container, each to
	// completion, before the program at every start: the seed's ENTRYPOINT
	// meaning. A failing one stops the start (Start returns its error).
	StartupCommands [][]string
	// StartupReport, when set, receives one JSON line (StartupResult) per
	// startup command that ran.
	StartupReport *os.File
	// Launcher, when set, starts the container's first process instead of
	// the runtime itself (the daemon's monitor does, so that the container
	// becomes the monitor's child).
	Launcher Launcher
	// Init runs a minimal init as PID 1 that reaps zombies and forwards
	// signals to the target process.
	Init bool
	// Spec, when non-nil, is used instead of reading Bundle/config.json.
	Spec *specs.Spec
}

// StartupResult is how one startup command ended: the process stage
// (internal/nsenter/process.c, report_startup) writes one JSON line per
// command to CreateOptions.StartupReport.
type StartupResult struct {
	Args     []string      `json:"args"`
	ExitCode int           `json:"exitCode"`
	Duration time.Duration `json:"durationNs"`
}

// ExecOptions tune Exec.
type ExecOptions struct {
	PidFile       string
	ConsoleSocket string
	Stdio         Stdio
	// ExtraFiles are passed as descriptors 3, 4, ...
	ExtraFiles []*os.File
}

// ExitStatus is how a process ended.
type ExitStatus struct {
	// Code is the exit code, or 128+signal when the process was killed.
	Code int `json:"code"`
	// Signal is the signal that killed the process, 0 if it exited.
	Signal int `json:"signal,omitempty"`
	// OOMKilled is true when the container's cgroup recorded an OOM kill.
	OOMKilled bool `json:"oomKilled,omitempty"`
}

// Runtime manages the containers whose state lives under Root.
type Runtime struct {
	// Root is the state directory, e.g. /run/container-runtime-oci.
	Root string

	exe     sealedExe
	seccomp seccompCache
	execs   execCache // execcache_linux.go
	// noCloneInto is set once clone3 with CLONE_INTO_CGROUP was refused
	// (spawnInCgroups): from then on every stage joins the v2 cgroup by
	// writing itself into its cgroup.procs.
	noCloneInto atomic.Bool
	// startPoll is how long Start polls the exec fifo before it checks
	// that the init is alive (0: 100 ms). Tests shorten it to make the
	// exit-right-after-start race frequent.
	startPoll time.Duration
}

// Launcher starts a process on the runtime's behalf: exe (an open handle of
// the binary) with args and env, files at descriptors 3, 4, ... in order,
// in directory dir, and stdio of the launcher's choosing. It returns the
// PID; the launcher reaps the process, and whatever that process clones
// with CLONE_PARENT becomes the launcher's child too.
type Launcher interface {
	Launch(exe *os.File, args, env []string, files []*os.File, dir string) (pid int, err error)
}

// A CgroupLauncher is a Launcher that can also start the process born in
// a cgroup v2 directory (clone3 with CLONE_INTO_CGROUP), which spares the
// stage the kernel's grace-period wait of moving into it
// (runtime/cgroupjoin_linux.go). When the kernel or a seccomp filter
// refuses clone3, its error wraps the errno.
type CgroupLauncher interface {
	Launcher
	LaunchInCgroup(exe, cgroupDir *os.File, args, env []string, files []*os.File, dir string) (pid int, err error)
}
