package container

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// hostPS is the host's ps, which Top runs when given ps options. Nothing
// of the container's file system is ever executed.
const hostPS = "/bin/ps"

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture we build for (sysconf(_SC_CLK_TCK)).
const clockTicks = 100

// Top lists the processes of a running or paused container, as Docker's
// top. Without psArgs the rows are read from the host's /proc for the
// pids of the container's cgroup, in `ps -ef`'s columns (UID PID PPID C
// STIME TTY TIME CMD). With psArgs ("aux", "-o pid,comm") the host's
// /bin/ps runs with them, restricted to the container's pids with -q,
// and the rows whose PID column is one of them are kept; ps's output
// must have a PID column.
func (s *Service) Top(ctx context.Context, id, psArgs string) (api.ContainerTop, error) {
	e, err := s.lookup(id)
	if err != nil {
		return api.ContainerTop{}, err
	}
	r := e.snapshot()
	if r.State.Status != StateRunning && r.State.Status != StatePaused {
		return api.ContainerTop{}, errNotRunning(r)
	}
	pids, err := s.rt.Pids(ctx, r.ID)
	if err != nil {
		return api.ContainerTop{}, fmt.Errorf("listing the processes of %s: %w", r.Name, err)
	}
	slices.Sort(pids)
	if strings.TrimSpace(psArgs) == "" {
		return procTop(pids)
	}
	return psTop(ctx, pids, strings.Fields(psArgs))
}

// psTop runs the host's ps with args over pids. Some ps options (f)
// refuse -q; then ps runs over every process and the rows are filtered.
func psTop(ctx context.Context, pids []int, args []string) (api.ContainerTop, error) {
	list := make([]string, len(pids))
	for i, p := range pids {
		list[i] = strconv.Itoa(p)
	}
	out, err := exec.CommandContext(ctx, hostPS, append(slices.Clone(args), "-q", strings.Join(list, ","))...).Output()
	if err != nil {
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, hostPS, args...)
		cmd.Stderr = &stderr
		if out, err = cmd.Output(); err != nil {
			return api.ContainerTop{}, fmt.Errorf("running ps %s: %v: %s: %w", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()), errdefs.ErrInvalidArgument)
		}
	}
	return parsePS(out, pids)
}

// parsePS keeps the rows of ps's output whose PID is one of pids. The
// last column (a command) may hold spaces; the others do not.
func parsePS(out []byte, pids []int) (api.ContainerTop, error) {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	top := api.ContainerTop{Titles: strings.Fields(lines[0]), Processes: [][]string{}}
	pidCol := slices.Index(top.Titles, "PID")
	if pidCol < 0 {
		return api.ContainerTop{}, fmt.Errorf("ps output has no PID column (header %q): %w", lines[0], errdefs.ErrInvalidArgument)
	}
	n := len(top.Titles)
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) < n {
			continue
		}
		row := append(fields[:n-1:n-1], strings.Join(fields[n-1:], " "))
		pid, err := strconv.Atoi(row[pidCol])
		if err != nil || !slices.Contains(pids, pid) {
			continue
		}
		top.Processes = append(top.Processes, row)
	}
	return top, nil
}

// procTop builds `ps -ef`'s table for pids from /proc. A process that
// ends while it is read is left out.
func procTop(pids []int) (api.ContainerTop, error) {
	boot, err := bootTime()
	if err != nil {
		return api.ContainerTop{}, err
	}
	now := time.Now()
	top := api.ContainerTop{
		Titles:    []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"},
		Processes: [][]string{},
	}
	users := map[string]string{}
	for _, pid := range pids {
		p, err := readProc(pid)
		if err != nil {
			continue
		}
		name, ok := users[p.uid]
		if !ok {
			name = p.uid
			if u, err := user.LookupId(p.uid); err == nil {
				name = u.Username
			}
			users[p.uid] = name
		}
		start := boot.Add(time.Duration(p.startTicks) * time.Second / clockTicks)
		cpu := time.Duration(p.cpuTicks) * time.Second / clockTicks
		top.Processes = append(top.Processes, []string{
			name, strconv.Itoa(pid), strconv.Itoa(p.ppid), strconv.Itoa(cpuPercent(cpu, now.Sub(start))),
			stime(start, now), ttyName(p.ttyNr), cpuTime(cpu), p.cmd,
		})
	}
	return top, nil
}

// procInfo is what ps -ef shows of a process.
type procInfo struct {
	uid        string // effective uid
	ppid       int
	ttyNr      uint64
	cpuTicks   uint64 // utime + stime
	startTicks uint64 // since boot
	cmd        string
}

// readProc reads /proc/<pid>/{stat,status,cmdline}.
func readProc(pid int) (procInfo, error) {
	var p procInfo
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return p, err
	}
	// The command name (field 2) is in parentheses and may hold spaces
	// and ')': the fields that follow start after the last ')'.
	open, closing := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || closing < open {
		return p, fmt.Errorf("parsing %s/stat: %q", dir, stat)
	}
	comm := string(stat[open+1 : closing])
	f := strings.Fields(string(stat[closing+1:]))
	// f[0] is field 3 (state): ppid is field 4, tty_nr 7, utime 14,
	// stime 15, starttime 22.
	if len(f) < 20 {
		return p, fmt.Errorf("parsing %s/stat: %d fields", dir, len(f)+2)
	}
	p.ppid, _ = strconv.Atoi(f[1])
	p.ttyNr, _ = strconv.ParseUint(f[4], 10, 64)
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	p.cpuTicks = utime + stime
	p.startTicks, _ = strconv.ParseUint(f[19], 10, 64)

	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return p, err
	}
	for line := range strings.Lines(string(status)) {
		if ids, ok := strings.CutPrefix(line, "Uid:"); ok {
			if fs := strings.Fields(ids); len(fs) > 1 {
				p.uid = fs[1]
			}
		}
	}
	cmdline, err := os.ReadFile(dir + "/cmdline")
	if err != nil {
		return p, err
	}
	p.cmd = strings.Join(strings.FieldsFunc(string(cmdline), func(r rune) bool { return r == 0 }), " ")
	if p.cmd == "" {
		p.cmd = "[" + comm + "]" // a kernel thread or a zombie, as ps shows it
	}
	return p, nil
}

// bootTime is /proc/stat's btime.
func bootTime() (time.Time, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the boot time: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				break
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("reading the boot time: no btime in /proc/stat")
}

// cpuPercent is ps's C: the CPU time used over the process's life, in
// percent, at most 99.
func cpuPercent(cpu, life time.Duration) int {
	if life <= 0 {
		return 0
	}
	return min(int(cpu*100/life), 99)
}

// stime is ps's STIME: the time of day for a process started today, the
// month and day within the year, else the year.
func stime(start, now time.Time) string {
	switch {
	case now.Sub(start) < 24*time.Hour && start.YearDay() == now.YearDay():
		return start.Format("15:04")
	case start.Year() == now.Year():
		return start.Format("Jan02")
	}
	return start.Format("2006")
}

// cpuTime is ps's TIME: [DD-]HH:MM:SS.
func cpuTime(d time.Duration) string {
	s := int(d.Seconds())
	days, h, m := s/86400, s/3600%24, s/60%60
	if days > 0 {
		return fmt.Sprintf("%d-%02d:%02d:%02d", days, h, m, s%60)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s%60)
}

// ttyName is ps's TTY for tty_nr (major in bits 8-15, minor in 0-7 and
// 20-31): pts/N, ttyN, ttySN, or "?".
func ttyName(nr uint64) string {
	major, minor := (nr>>8)&0xfff, (nr&0xff)|((nr>>12)&0xfff00)
	switch {
	case nr == 0:
		return "?"
	case major >= 136 && major <= 143:
		return fmt.Sprintf("pts/%d", (major-136)*256+minor)
	case major == 4 && minor < 64:
		return fmt.Sprintf("tty%d", minor)
	case major == 4:
		return fmt.Sprintf("ttyS%d", minor-64)
	}
	return "?"
}
