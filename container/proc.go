package container

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// procStartTime returns field 22 of /proc/PID/stat: with the PID it names
// one process across PID reuse.
func procStartTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields that follow start after its last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("parsing /proc/%d/stat", pid)
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 20 {
		return 0, fmt.Errorf("parsing /proc/%d/stat: %d fields", pid, len(fields))
	}
	return strconv.ParseUint(string(fields[19]), 10, 64)
}

// processAlive tells whether pid still runs the process that started at
// start (a zombie counts as gone).
func processAlive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return false
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 20 || fields[0][0] == 'Z' || fields[0][0] == 'X' {
		return false
	}
	st, err := strconv.ParseUint(string(fields[19]), 10, 64)
	return err == nil && (start == 0 || st == start)
}

// startupLine is one line of the runtime's startup report.
type startupLine struct {
	Args       []string `json:"args"`
	ExitCode   int      `json:"exitCode"`
	DurationNs int64    `json:"durationNs"`
}

// readStartupReport reads the startup commands' results from f, which the
// container's init wrote through its own descriptor: the file offset is
// shared, so it is read from the start with ReadAt.
func readStartupReport(f *os.File) ([]api.StartupResult, error) {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the startup report: %w", err)
	}
	var out []api.StartupResult
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l startupLine
		if err := json.Unmarshal(line, &l); err != nil {
			return out, fmt.Errorf("startup report line %q: %w", line, err)
		}
		out = append(out, api.StartupResult{Args: l.Args, ExitCode: l.ExitCode, Duration: time.Duration(l.DurationNs)})
	}
	return out, nil
}
