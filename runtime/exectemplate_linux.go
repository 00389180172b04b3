package runtime

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/nsenter"
)

// The descriptors an ExecTemplate's stage expects (its Env names them);
// 0 is stdin, 1 and 2 stdout and stderr.
const (
	// TemplateSyncFD is the stage's end of the sync socket (sync.go).
	TemplateSyncFD = 3
	// TemplatePidPipeFD is the write end of the pipe that gets the
	// target's PID (nsenter.EnvPidPipe).
	TemplatePidPipeFD = 4
	// TemplateCgroupFD is the first of the CgroupProcs, in their order.
	TemplateCgroupFD = 5
)

// ExecTemplate is everything a process other than the caller needs to
// exec one process into one run of a container, as often as it likes,
// without the runtime: Exec's work but for the fork. A health executor
// (internal/healthexec) runs a check from it each time. It stays valid for
// the run; once the run ends an exec from it fails in the stage (the
// namespaces are gone).
//
// To exec: make a sync socketpair (SOCK_STREAM), a PID pipe and the stdio;
// start Exe with Args and Env, with the descriptors at the numbers above;
// write Sync on the socket. EOF on the socket then means the process was
// executed, a line before it is the stage's {"type":"error"} message; the
// PID is on the pipe. The process is a child of the one that started the
// stage (CLONE_PARENT), which must reap both.
type ExecTemplate struct {
	// Exe is the sealed binary (execute it with execveat/fexecve).
	Exe *os.File
	// Args and Env are the stage's.
	Args, Env []string
	// CgroupProcs are the files the stage writes itself into to join
	// the run's cgroups: the v1 tasks files and the v2 cgroup.procs
	// (see cgroupJoin).
	CgroupProcs []*os.File
	// Sync is what goes on the sync socket: "go" and the process plan.
	Sync []byte
}

// Close closes the template's files.
func (t *ExecTemplate) Close() {
	t.Exe.Close()
	closeFiles(t.CgroupProcs)
}

// ExecTemplate returns the template of execs of p into container id's
// current run, which must be running (as for Exec, with the same checks
// and the same cached state). The caller closes it.
func (r *Runtime) ExecTemplate(id string, p *specs.Process) (*ExecTemplate, error) {
	if p != nil && p.Terminal {
		return nil, fmt.Errorf("exec template in %q: a terminal needs a console socket per exec", id)
	}
	prep, config, release, err := r.prepareProcess(id, p)
	if err != nil {
		return nil, err
	}
	defer release()
	exe, err := r.exe.get()
	if err != nil {
		return nil, err
	}
	t := &ExecTemplate{Args: []string{"container-runtime-" + stageExec}}
	// Copies: the cache closes its own when the run's entry goes.
	if t.Exe, err = dupFile(exe); err != nil {
		return nil, err
	}
	// The executor's vfork cannot place the stage in a cgroup: it writes
	// itself into the v2 one too.
	procs := prep.cgroups.files(true)
	fds := make([]string, len(procs))
	for i, f := range procs {
		c, err := dupFile(f)
		if err != nil {
			t.Close()
			return nil, err
		}
		t.CgroupProcs = append(t.CgroupProcs, c)
		fds[i] = strconv.Itoa(TemplateCgroupFD + i)
	}
	t.Env = append(stageEnviron(stageExec, TemplateSyncFD, nsPlan{join: prep.joins}, 0),
		nsenter.EnvCgroupFDs+"="+strings.Join(fds, ","),
		nsenter.EnvPidPipe+"="+strconv.Itoa(TemplatePidPipeFD))
	t.Sync = append([]byte(`{"type":"`+msgGo+`"}`+"\n"), config...)
	return t, nil
}

// dupFile returns a close-on-exec copy of f.
func dupFile(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("duplicating %s: %w", f.Name(), err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
