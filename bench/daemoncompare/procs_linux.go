package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// footprint is the memory of one or more processes, in KiB.
type footprint struct {
	// RSS counts every page a process maps once per process; PSS divides
	// each page by the number of processes mapping it, so that the PSS
	// of all processes adds up to the memory they use together.
	RSS, PSS int64
	// Procs is the number of processes summed.
	Procs int
}

func (f footprint) add(g footprint) footprint {
	return footprint{RSS: f.RSS + g.RSS, PSS: f.PSS + g.PSS, Procs: f.Procs + g.Procs}
}

// memoryOf reads the Rss and Pss of pid from /proc/PID/smaps_rollup.
func memoryOf(pid int) (footprint, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"))
	if err != nil {
		return footprint{}, err
	}
	defer f.Close()
	fp, err := parseRollup(bufio.NewScanner(f))
	if err != nil {
		return footprint{}, fmt.Errorf("reading /proc/%d/smaps_rollup: %w", pid, err)
	}
	return fp, nil
}

// parseRollup reads the "Rss:" and "Pss:" lines (in kB) of a
// smaps_rollup file.
func parseRollup(sc *bufio.Scanner) (footprint, error) {
	fp := footprint{Procs: 1}
	var rss, pss bool
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		var dst *int64
		switch f[0] {
		case "Rss:":
			dst, rss = &fp.RSS, true
		case "Pss:":
			dst, pss = &fp.PSS, true
		default:
			continue
		}
		v, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return footprint{}, fmt.Errorf("line %q: %w", sc.Text(), err)
		}
		*dst = v
	}
	if err := sc.Err(); err != nil {
		return footprint{}, err
	}
	if !rss || !pss {
		return footprint{}, fmt.Errorf("no Rss or Pss line")
	}
	return fp, nil
}

// memoryOfAll sums memoryOf over pids; processes gone meanwhile are an
// error.
func memoryOfAll(pids []int) (footprint, error) {
	var sum footprint
	for _, pid := range pids {
		fp, err := memoryOf(pid)
		if err != nil {
			return footprint{}, err
		}
		sum = sum.add(fp)
	}
	return sum, nil
}

// procInfo is what findProcs matches on.
type procInfo struct {
	pid, ppid int
	// comm is the command name (at most 15 bytes); argv is the command
	// line.
	comm string
	argv []string
}

// findProcs returns the PIDs of the processes for which match is true.
// Processes that go away during the walk are skipped.
func findProcs(match func(procInfo) bool) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, ok := readProc(pid)
		if ok && match(p) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func readProc(pid int) (procInfo, bool) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return procInfo{}, false
	}
	comm, ppid, ok := parseStat(string(stat))
	if !ok {
		return procInfo{}, false
	}
	b, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return procInfo{}, false
	}
	return procInfo{pid: pid, ppid: ppid, comm: comm, argv: strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")}, true
}

// parseStat returns the command name and the parent PID from
// /proc/PID/stat: "PID (COMM) STATE PPID ...", where COMM may hold spaces
// and parentheses.
func parseStat(s string) (comm string, ppid int, ok bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", 0, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 2 {
		return "", 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return "", 0, false
	}
	return s[open+1 : end], ppid, true
}

// argvContains reports whether any argument of p contains s.
func (p procInfo) argvContains(s string) bool {
	for _, a := range p.argv {
		if strings.Contains(a, s) {
			return true
		}
	}
	return false
}
