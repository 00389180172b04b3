package host

import (
	"os"
	"strconv"
	"strings"
)

// PidRunningWith returns the PID in pidfile when that process runs and
// its command line contains mark, so that the PID is not someone else's
// by now (a daemon of an earlier, killed run); 0 otherwise.
func PidRunningWith(pidfile, mark string) int {
	b, err := os.ReadFile(pidfile)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return 0
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(cmdline), mark) {
		return 0
	}
	return pid
}
