package measure

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ProcessCPU is the user+sys time of a process that was waited for,
// including that of the descendants it waited for in turn (what wait4
// reports); 0 when unknown.
func ProcessCPU(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return tv(ru.Utime) + tv(ru.Stime)
}

// OwnCPU returns the user+sys time so far of this process and of the
// children it has waited for: the difference of two calls is the CPU cost
// of in-process work, child processes included.
func OwnCPU() time.Duration {
	var self, children unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &self) != nil || unix.Getrusage(unix.RUSAGE_CHILDREN, &children) != nil {
		return 0
	}
	return utv(self.Utime) + utv(self.Stime) + utv(children.Utime) + utv(children.Stime)
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

func utv(t unix.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}
