package runtime

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// StartupResult is how one startup command ended; the init process writes
// one JSON line per command to CreateOptions.StartupReport.
type StartupResult struct {
	Args     []string      `json:"args"`
	ExitCode int           `json:"exitCode"`
	Duration time.Duration `json:"durationNs"`
}

// runStartupCommands runs the seed's startup commands (an image's
// ENTRYPOINTs) in order, each to completion, in the container with the
// program's identity, capabilities, environment, working directory and
// stdio, before the program itself. The first that cannot run or exits
// non-zero stops the start; its error names it.
//
// Preconditions: as for dropPrivileges, which has run; the children are
// forked from this locked thread and inherit its credentials and filter.
func runStartupCommands(cmds [][]string, p *specs.Process, reportFD int) error {
	var report *os.File
	if reportFD >= 0 {
		report = os.NewFile(uintptr(reportFD), "startup-report")
		defer report.Close()
	}
	for i, args := range cmds {
		res, err := runStartupCommand(args, p)
		if report != nil && err == nil {
			b, _ := json.Marshal(res)
			report.Write(append(b, '\n'))
		}
		if err != nil {
			return fmt.Errorf("startup command #%d %q: %w", i+1, args, err)
		}
		if res.ExitCode != 0 {
			return fmt.Errorf("startup command #%d %q exited with code %d", i+1, args, res.ExitCode)
		}
	}
	return nil
}

func runStartupCommand(args []string, p *specs.Process) (StartupResult, error) {
	res := StartupResult{Args: args}
	if len(args) == 0 {
		return res, fmt.Errorf("empty command")
	}
	path, err := lookPath(args[0], p.Env)
	if err != nil {
		return res, err
	}
	start := time.Now()
	pid, err := syscall.ForkExec(path, args, &syscall.ProcAttr{
		Dir:   p.Cwd,
		Env:   p.Env,
		Files: []uintptr{0, 1, 2},
	})
	if err != nil {
		return res, err
	}
	var ws unix.WaitStatus
	for {
		_, err = unix.Wait4(pid, &ws, 0, nil)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return res, fmt.Errorf("waiting for it: %w", err)
	}
	res.Duration = time.Since(start)
	res.ExitCode = exitCode(ws)
	return res, nil
}
