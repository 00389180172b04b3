package nsenter

/*
#include <stdlib.h>
#include "process.h"
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/capabilities"
)

// PlanOptions is what a process plan holds besides the spec's process.
type PlanOptions struct {
	// Startup are the seed's startup commands (an image's ENTRYPOINTs),
	// run before the program (an init only).
	Startup [][]string
	// InitPid, when not 0, is the init of a container without a mount
	// namespace, whose root an exec enters first.
	InitPid int
}

// The flags of a plan (process.h).
const (
	ppTerminal    = 1 << 0
	ppNoNewPrivs  = 1 << 1
	ppCaps        = 1 << 2
	ppUmask       = 1 << 3
	ppOOM         = 1 << 4
	ppChrootInit  = 1 << 5
	ppConsoleSize = 1 << 6
	ppMagic       = 0x31505243
)

// rlimitResources are the spec's rlimit types and setrlimit(2)'s numbers.
var rlimitResources = map[string]uint32{
	"RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3,
	"RLIMIT_CORE": 4, "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7,
	"RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9, "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11,
	"RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13, "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
}

// EncodePlan encodes the process plan (format in process.h) of p. It is
// the only encoder of the format, and checks what the C side takes as
// given: capability names (unknown ones are errors, ones this kernel
// lacks are left out), rlimit types, the subsets the kernel requires of
// the capability sets, and strings without NUL bytes.
func EncodePlan(p *specs.Process, o PlanOptions) ([]byte, error) {
	return AppendPlan(nil, p, o)
}

// AppendPlan appends the process plan of p to dst (see EncodePlan).
func AppendPlan(dst []byte, p *specs.Process, o PlanOptions) ([]byte, error) {
	if p == nil || len(p.Args) == 0 {
		return nil, fmt.Errorf("process.args must not be empty: %w", errdefs.ErrInvalidArgument)
	}
	var flags uint32
	var sets capabilities.Sets
	if p.Capabilities != nil {
		var err error
		if sets, err = capabilities.Masks(p.Capabilities); err != nil {
			return nil, fmt.Errorf("process.capabilities: %w", err)
		}
		flags |= ppCaps
	}
	set := func(f uint32, on bool) {
		if on {
			flags |= f
		}
	}
	set(ppTerminal, p.Terminal)
	set(ppNoNewPrivs, p.NoNewPrivileges)
	set(ppUmask, p.User.Umask != nil)
	set(ppOOM, p.OOMScoreAdj != nil)
	set(ppChrootInit, o.InitPid != 0)
	set(ppConsoleSize, p.ConsoleSize != nil)

	b := dst
	u32 := func(v uint32) { b = binary.NativeEndian.AppendUint32(b, v) }
	u64 := func(v uint64) { b = binary.NativeEndian.AppendUint64(b, v) }
	// A string's NUL byte would end it early in C: str and strs report
	// whether (and which) string has one; the field is named only then.
	str := func(s string) bool {
		u32(uint32(len(s)))
		b = append(append(b, s...), 0)
		return strings.IndexByte(s, 0) < 0
	}
	strs := func(v []string) int {
		u32(uint32(len(v)))
		bad := -1
		for i, s := range v {
			if !str(s) && bad < 0 {
				bad = i
			}
		}
		return bad
	}
	nul := func(field string, i int, s string) error {
		if i >= 0 {
			field = fmt.Sprintf("%s[%d]", field, i)
		}
		return fmt.Errorf("%s %q contains a NUL byte: %w", field, s, errdefs.ErrInvalidArgument)
	}

	u32(ppMagic)
	u32(flags)
	u32(p.User.UID)
	u32(p.User.GID)
	if p.User.Umask != nil {
		u32(*p.User.Umask)
	} else {
		u32(0)
	}
	if p.OOMScoreAdj != nil {
		if v := *p.OOMScoreAdj; v < -1000 || v > 1000 {
			return nil, fmt.Errorf("process.oomScoreAdj %d: not in [-1000, 1000]: %w", v, errdefs.ErrInvalidArgument)
		}
		u32(uint32(int32(*p.OOMScoreAdj)))
	} else {
		u32(0)
	}
	u32(uint32(o.InitPid))
	if p.ConsoleSize != nil {
		if p.ConsoleSize.Height > 0xffff || p.ConsoleSize.Width > 0xffff {
			return nil, fmt.Errorf("process.consoleSize %dx%d: at most 65535 rows and columns: %w",
				p.ConsoleSize.Height, p.ConsoleSize.Width, errdefs.ErrInvalidArgument)
		}
		b = binary.NativeEndian.AppendUint16(b, uint16(p.ConsoleSize.Height))
		b = binary.NativeEndian.AppendUint16(b, uint16(p.ConsoleSize.Width))
	} else {
		b = append(b, 0, 0, 0, 0)
	}
	for _, m := range []uint64{sets.Bounding, sets.Effective, sets.Permitted, sets.Inheritable, sets.Ambient} {
		u64(m)
	}
	u32(uint32(len(p.User.AdditionalGids)))
	for _, g := range p.User.AdditionalGids {
		u32(g)
	}
	u32(uint32(len(p.Rlimits)))
	for _, rl := range p.Rlimits {
		res, ok := rlimitResources[rl.Type]
		if !ok {
			return nil, fmt.Errorf("process.rlimits: unknown type %q: %w", rl.Type, errdefs.ErrInvalidArgument)
		}
		u32(res)
		u64(rl.Soft)
		u64(rl.Hard)
	}
	if !str(p.Cwd) {
		return nil, nul("process.cwd", -1, p.Cwd)
	}
	if i := strs(p.Args); i >= 0 {
		return nil, nul("process.args", i, p.Args[i])
	}
	if i := strs(p.Env); i >= 0 {
		return nil, nul("process.env", i, p.Env[i])
	}
	u32(uint32(len(o.Startup)))
	for i, cmd := range o.Startup {
		if len(cmd) == 0 {
			return nil, fmt.Errorf("startup command #%d is empty: %w", i+1, errdefs.ErrInvalidArgument)
		}
		if j := strs(cmd); j >= 0 {
			return nil, nul(fmt.Sprintf("startup command #%d", i+1), j, cmd[j])
		}
	}
	if n := len(b) - len(dst); n > C.PP_MAX {
		return nil, fmt.Errorf("process: %d bytes encoded, more than the %d a plan may have: %w", n, C.PP_MAX, errdefs.ErrInvalidArgument)
	}
	return b, nil
}

// decodePlan checks b with the C decoder (for tests and fuzzing).
func decodePlan(b []byte) error {
	buf := C.CBytes(b)
	defer C.free(buf)
	var p C.struct_process_plan
	var msg [256]C.char
	if C.pp_decode((*C.char)(buf), C.size_t(len(b)), &p, &msg[0], C.size_t(len(msg))) < 0 {
		return errors.New(C.GoString(&msg[0]))
	}
	C.pp_free(&p)
	return nil
}

// Process is the process stage of the Go init stage (process.c): the end
// of a container init's setup. It lives in C memory for the rest of the
// process, which the stage ends with Exec.
type Process struct{ c *C.struct_process }

// NewProcess decodes plan for the calling process, which will become the
// plan's process. seccompFD is the sealed memfd of the compiled filter
// (-1: none); preserve counts the descriptors from 3 on that are the
// program's.
func NewProcess(plan []byte, seccompFD, preserve int) (*Process, error) {
	c := (*C.struct_process)(C.calloc(1, C.sizeof_struct_process))
	c.seccomp_fd = C.int(seccompFD)
	c.preserve = C.int(preserve)
	buf := C.CBytes(plan) // the plan's strings point into it: never freed
	if C.pp_decode((*C.char)(buf), C.size_t(len(plan)), &c.plan, &c.err[0], C.ERRMAX) < 0 {
		return nil, errors.New(C.GoString(&c.err[0]))
	}
	return &Process{c: c}, nil
}

func (p *Process) result(r C.int) error {
	if r < 0 {
		return errors.New(C.GoString(&p.c.err[0]))
	}
	return nil
}

// Terminal reports whether the plan's process has a terminal (the
// console the parent's console socket gets).
func (p *Process) Terminal() bool { return p.c.plan.flags&C.PP_TERMINAL != 0 }

// Console makes a pty of the container's devpts our terminal and sends its
// master over the console socket sockFD.
func (p *Process) Console(sockFD int) error { return p.result(C.console_setup(p.c, C.int(sockFD))) }

// Enter sets the plan's limits, working directory, identity and
// capabilities (process_enter). The calling goroutine must hold
// runtime.LockOSThread and call Exec from the same thread: capabilities
// and no_new_privs are per thread.
func (p *Process) Enter() error { return p.result(C.process_enter(p.c)) }

// OpenExecFifo reopens the exec fifo fifoFD names for writing and tells
// Start we wait; it returns the descriptor, which stays open until exec.
func (p *Process) OpenExecFifo(fifoFD int) (int, error) {
	fd := C.open_exec_fifo(p.c, C.int(fifoFD))
	return int(fd), p.result(fd)
}

// Startup runs the plan's startup commands, reporting each to reportFD.
func (p *Process) Startup(reportFD int) error {
	return p.result(C.process_startup(p.c, C.int(reportFD)))
}

// Exec executes the program; it returns only on failure.
func (p *Process) Exec() error { return p.result(C.process_exec(p.c)) }
