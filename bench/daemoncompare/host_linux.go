package main

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// existed records whether each host path exists, so that cleanup removes
// only what the peers made outside the work directory.
func existed(paths ...string) map[string]bool {
	m := make(map[string]bool, len(paths))
	for _, p := range paths {
		_, err := os.Lstat(p)
		m[p] = err == nil
	}
	return m
}

// removeNew removes, deepest first, the paths that did not exist before:
// files, and directories once empty.
func removeNew(paths []string) {
	paths = slices.Clone(paths)
	slices.SortFunc(paths, func(a, b string) int { return len(b) - len(a) })
	for _, p := range paths {
		// os.Remove removes a file, or a directory only when empty.
		_ = os.Remove(p)
	}
}

// newPaths are the paths of before that did not exist then.
func newPaths(before map[string]bool) []string {
	var out []string
	for p, was := range before {
		if !was {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// cmdline is the command line of pid with spaces between the arguments;
// "" when it is gone.
func cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return ""
	}
	return strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ")
}

// stopPid sends SIGTERM to pid and waits up to timeout for it to go, then
// sends SIGKILL; it reports whether SIGTERM sufficed.
func stopPid(pid int, timeout time.Duration) bool {
	_ = syscall.Kill(pid, syscall.SIGTERM)
	if waitGone(pid, timeout) {
		return true
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	waitGone(pid, 5*time.Second)
	return false
}

// waitGone waits until pid no longer exists (or is a zombie), at most
// timeout, and reports whether it is gone.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for syscall.Kill(pid, 0) == nil && !zombie(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// zombie reports whether pid has exited and waits for its parent.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and
	// may itself hold ") ".
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// oneLine is err's message on one line, at most 300 bytes.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
