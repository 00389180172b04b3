package monitor

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The test binary also stands in for the runtime's namespace stage: with
// envTestStage set, TestMain starts /bin/sh -c $1 as a CLONE_PARENT
// child (a child of the monitor, as the stage's clone of the init is),
// with our stdio and the files at 3 .. N-1, writes its PID to fd N
// (envTestStage's value), waits envTestStageDelay and exits.
const (
	envTestStage      = "_CRT_TEST_STAGE"
	envTestStageDelay = "_CRT_TEST_STAGE_DELAY"
)

func TestMain(m *testing.M) {
	if fd := os.Getenv(envTestStage); fd != "" {
		os.Exit(testStage(fd))
	}
	os.Exit(m.Run())
}

func testStage(fdStr string) int {
	pidFD, err := strconv.Atoi(fdStr)
	if err != nil || pidFD < 3 {
		fmt.Fprintf(os.Stderr, "stage: bad %s %q\n", envTestStage, fdStr)
		return 2
	}
	syscall.CloseOnExec(pidFD) // the init must not hold it
	cmd := exec.Command("/bin/sh", "-c", os.Args[1])
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	for fd := 3; fd < pidFD; fd++ {
		cmd.ExtraFiles = append(cmd.ExtraFiles, os.NewFile(uintptr(fd), "file"))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_PARENT}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "stage: %v\n", err)
		return 1
	}
	if d, err := time.ParseDuration(os.Getenv(envTestStageDelay)); err == nil {
		time.Sleep(d)
	}
	f := os.NewFile(uintptr(pidFD), "pid")
	if _, err := fmt.Fprintln(f, cmd.Process.Pid); err != nil {
		return 1
	}
	return 0
}
