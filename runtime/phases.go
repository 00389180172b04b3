package runtime

import "time"

// A Phase is one measured step of creating a container, in the order they
// happen; together they cover Create from its call to its return.
type Phase struct {
	Name     string
	Duration time.Duration
}

// The phases of Create, each ending at a timestamp taken by the process
// doing the step: the parent (p), the C namespace stage (c, sent with
// "pid") or the Go init stage (i, sent with "ready").
//
//	prepare      p  validation, state directory, exec fifo, the "creating"
//	                record, the cgroup made with its limits, the seccomp
//	                program
//	stage-exec   c  starting the sealed binary (with a launcher: the
//	                monitor's fork) until the C stage runs
//	cgroups      c  the stage writes itself into the cgroup (cgroupJoin)
//	                and reads "go"
//	namespaces   c  joins, unshares, the user namespace's maps, the clone
//	init-start   i  the init stage's runtime starting (the Go runtime: the
//	                cost a C init would not pay)
//	config       i  the parent sends the config and the init decodes it
//	mounts       i  rootfs propagation, every mount, /dev
//	hooks        i  prestart and createRuntime hooks (parent), then
//	                createContainer hooks (init)
//	pivot_root   i  pivot_root (or chroot without a mount namespace)
//	setup        i  hostname, sysctls, console, masked and read-only paths,
//	                the read-only root
//	privileges   i  rlimits, working directory, the program's lookup, the
//	                user, groups, capabilities and, unless it waits for
//	                no_new_privs, seccomp
//	state        p  the parent reads "ready" and saves the record
var createPhases = []string{
	"prepare", "stage-exec", "cgroups", "namespaces", "init-start", "config",
	"mounts", "hooks", "pivot_root", "setup", "privileges", "state",
}

// Indexes of the stamps the C stage sends (times of "pid") and the init
// stage sends (times of "ready"), in the order of createPhases.
const (
	stampsFromStage = 3 // stage-exec, cgroups, namespaces
	stampsFromInit  = 7 // init-start ... privileges
)

// phaseClock collects the timestamps of one Create.
type phaseClock struct {
	begin    time.Time
	prepared time.Time
	stage    []int64
	init     []int64
}

// phases turns the stamps into durations; ok is false when a process did
// not send the stamps expected of it (an older binary), and then no phase
// is reported rather than wrong ones. A stamp earlier than the one before
// it (the wall clock was set back) gives a zero duration.
func (c *phaseClock) phases(end time.Time) ([]Phase, bool) {
	if len(c.stage) != stampsFromStage || len(c.init) != stampsFromInit || c.prepared.IsZero() {
		return nil, false
	}
	ends := make([]int64, 0, len(createPhases))
	ends = append(ends, c.prepared.UnixNano())
	ends = append(ends, c.stage...)
	ends = append(ends, c.init...)
	ends = append(ends, end.UnixNano())
	out := make([]Phase, len(createPhases))
	prev := c.begin.UnixNano()
	for i, name := range createPhases {
		out[i] = Phase{Name: name, Duration: time.Duration(max(ends[i]-prev, 0))}
		prev = max(prev, ends[i])
	}
	return out, true
}
