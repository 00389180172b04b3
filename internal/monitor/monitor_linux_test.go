package monitor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/testutil"
)

func TestExit(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		code     int
		signal   int
		stdout   string
		stderr   string
		noNLTail bool
	}{
		{name: "status", script: "echo out; echo err >&2; exit 3", code: 3, stdout: "out", stderr: "err"},
		{name: "signal", script: "echo out; echo err >&2; kill -9 $$", code: 137, signal: 9, stdout: "out", stderr: "err"},
		{name: "no final newline", script: "echo out; printf err >&2", stdout: "out", stderr: "err", noNLTail: true},
	}
	line := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [FP] .*$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			m := startMonitor(t, cfg)
			pid := runInit(t, m, tt.script)
			e := waitExit(t, m, cfg.Dir)
			if e.Pid != pid || e.ExitCode != tt.code || e.Signal != tt.signal || e.Time.IsZero() {
				t.Errorf("exit = %+v, want pid %d code %d signal %d", e, pid, tt.code, tt.signal)
			}
			if r, err := ReadExit(cfg.Dir); err != nil || *r != *e {
				t.Errorf("ReadExit = %+v, %v; want %+v", r, err, e)
			}
			waitGone(t, m.Pid())
			raw, err := os.ReadFile(cfg.LogPath)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
				if !line.MatchString(l) {
					t.Errorf("log line %q is not in the CRI format", l)
				}
			}
			got := map[byte]LogEntry{}
			for _, e := range readLogs(t, cfg.LogPath, LogOptions{Tail: -1}) {
				got[e.Stream] = e
			}
			if e := got[api.Stdout]; string(e.Line) != tt.stdout || e.Partial {
				t.Errorf("stdout entry = %+v, want full line %q", e, tt.stdout)
			}
			if e := got[api.Stderr]; string(e.Line) != tt.stderr || e.Partial != tt.noNLTail {
				t.Errorf("stderr entry = %+v, want %q partial=%v", e, tt.stderr, tt.noNLTail)
			}
			if _, err := os.Stat(filepath.Join(cfg.Dir, "attach.sock")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("attach.sock after the exit: %v", err)
			}
			if _, err := Attach(testContext(t), cfg.Dir); !errors.Is(err, errdefs.ErrNotFound) {
				t.Errorf("Attach after the exit: %v, want ErrNotFound", err)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		cfg  Config
		want string
		is   error
	}{
		{name: "empty", cfg: Config{}, is: errdefs.ErrInvalidArgument},
		{name: "missing dir", cfg: Config{Dir: dir + "/nope", LogPath: dir + "/log"}, want: "No such file"},
		{name: "missing log dir", cfg: Config{Dir: dir, LogPath: dir + "/nope/log"}, want: "No such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Start(testContext(t), tt.cfg)
			if err == nil {
				killOnCleanup(t, m.Pid())
				t.Fatal("Start succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Start: %v, want %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestReadExitNotFound(t *testing.T) {
	if _, err := ReadExit(t.TempDir()); !errors.Is(err, errdefs.ErrNotFound) {
		t.Fatalf("ReadExit of a running container: %v, want ErrNotFound", err)
	}
}

func TestLaunchErrors(t *testing.T) {
	cfg := testConfig(t)
	m := startMonitor(t, cfg)
	exe, err := os.Open("/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	defer exe.Close()
	if _, err := m.Launch(exe, []string{"true"}, nil, nil, "/nonexistent"); err == nil || !strings.Contains(err.Error(), "chdir /nonexistent") {
		t.Errorf("Launch in a missing dir: %v, want a chdir error", err)
	}
	// The monitor still works after a refused request, and launches once
	// (the init outlives the second request: the monitor ends with it).
	pid := runInit(t, m, "sleep 1")
	if _, err := m.Launch(exe, []string{"true"}, nil, nil, ""); err == nil || !strings.Contains(err.Error(), "already launched") {
		t.Errorf("a second Launch: %v, want an already-launched error", err)
	}
	if e := waitExit(t, m, cfg.Dir); e.Pid != pid || e.ExitCode != 0 {
		t.Errorf("exit %+v, want pid %d code 0", e, pid)
	}
}

// TestLaunchFiles checks that files land at 3, 4, ... in order, even
// when their numbers in the monitor overlap that range.
func TestLaunchFiles(t *testing.T) {
	cfg := testConfig(t)
	m := startMonitor(t, cfg)
	var files []*os.File
	for _, s := range []string{"a", "b", "c", "d"} {
		p := filepath.Join(t.TempDir(), s)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	runInit(t, m, `cat <&3; cat <&4; cat <&5; cat <&6; echo; ls /proc/self/fd | wc -l`, files...)
	waitExit(t, m, cfg.Dir)
	var got []string
	for _, e := range readLogs(t, cfg.LogPath, LogOptions{Tail: -1}) {
		got = append(got, string(e.Line))
	}
	// 0-2, 3-6, and the fd ls opens to list them: nothing of the
	// monitor's leaks into the child.
	if want := []string{"abcd", "8"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("child saw %q, want %q", got, want)
	}
}

func TestAttach(t *testing.T) {
	cfg := testConfig(t)
	cfg.Stdin = true
	m := startMonitor(t, cfg)
	a := attach(t, cfg.Dir)
	b := attach(t, cfg.Dir) // a second client receives the same output
	runInit(t, m, `read x; echo "got $x"; echo oops >&2; exit 5`)
	if err := a.WriteStdin([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*AttachConn{"a": a, "b": b} {
		s := readUntil(t, c, nil)
		if s.stdout.String() != "got hi\n" || s.stderr.String() != "oops\n" || s.exit != 5 {
			t.Errorf("client %s got stdout %q stderr %q exit %d", name, s.stdout.String(), s.stderr.String(), s.exit)
		}
	}
}

func TestCloseStdin(t *testing.T) {
	cfg := testConfig(t)
	cfg.Stdin = true
	m := startMonitor(t, cfg)
	a := attach(t, cfg.Dir)
	runInit(t, m, "exec cat")
	if err := a.WriteStdin([]byte("abc\n")); err != nil {
		t.Fatal(err)
	}
	s := readUntil(t, a, func(s *session) bool { return s.stdout.String() == "abc\n" })
	if s.stdout.String() != "abc\n" {
		t.Fatalf("stdout %q before the end, want abc", s.stdout.String())
	}
	if err := a.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	if s := readUntil(t, a, nil); s.exit != 0 {
		t.Errorf("cat ended with %d after CloseStdin, want 0", s.exit)
	}
}

// TestDaemonGone closes the control connection as a crashing daemon
// would: the monitor keeps the container, and a new client attaches.
func TestDaemonGone(t *testing.T) {
	cfg := testConfig(t)
	cfg.Stdin = true
	m := startMonitor(t, cfg)
	runInit(t, m, "exec cat")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	a := attach(t, cfg.Dir)
	if err := a.WriteStdin([]byte("bye\n")); err != nil {
		t.Fatal(err)
	}
	readUntil(t, a, func(s *session) bool { return s.stdout.String() == "bye\n" })
	if err := a.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	if s := readUntil(t, a, nil); s.exit != 0 {
		t.Errorf("exit frame %d, want 0", s.exit)
	}
	if e := waitExit(t, m, cfg.Dir); e.ExitCode != 0 {
		t.Errorf("exit code %d, want 0", e.ExitCode)
	}
	entries := readLogs(t, cfg.LogPath, LogOptions{Tail: -1})
	if len(entries) != 1 || string(entries[0].Line) != "bye" {
		t.Errorf("log %+v, want the one line bye", entries)
	}
}

// TestDaemonGoneBeforeInit: without an init the monitor has nothing to
// watch once the daemon is gone; it leaves when its children are gone,
// without exit.json.
func TestDaemonGoneBeforeInit(t *testing.T) {
	for _, child := range []bool{false, true} {
		t.Run(map[bool]string{false: "no child", true: "child"}[child], func(t *testing.T) {
			cfg := testConfig(t)
			m := startMonitor(t, cfg)
			if child {
				exe, err := os.Open("/bin/sleep")
				if err != nil {
					t.Fatal(err)
				}
				defer exe.Close()
				pid, err := m.Launch(exe, []string{"sleep", "0.2"}, nil, nil, "")
				if err != nil {
					t.Fatal(err)
				}
				killOnCleanup(t, pid)
			}
			m.Close()
			waitGone(t, m.Pid())
			if _, err := ReadExit(cfg.Dir); !errors.Is(err, errdefs.ErrNotFound) {
				t.Errorf("ReadExit: %v, want ErrNotFound", err)
			}
			if _, err := WaitExit(testContext(t), cfg.Dir, m.Pid()); !errors.Is(err, errdefs.ErrUnavailable) {
				t.Errorf("WaitExit: %v, want ErrUnavailable", err)
			}
		})
	}
}

// TestSlowClient: a client that never reads is disconnected, while the
// container, the log and a reading client get everything.
func TestSlowClient(t *testing.T) {
	// Bursts of 250 kB: a reading client keeps up even under -race, a
	// client that never reads overflows its socket buffer (at most 8 MiB).
	const bursts, burst, width = 64, 2500, 100
	cfg := testConfig(t)
	cfg.LogMaxSize = 64 << 20
	m := startMonitor(t, cfg)
	slow := attach(t, cfg.Dir)
	fast := attach(t, cfg.Dir)
	runInit(t, m, fmt.Sprintf(`i=0; while [ $i -lt %d ]; do yes %s | head -n %d; sleep 0.02; i=$((i+1)); done`,
		bursts, strings.Repeat("x", width-1), burst))
	n, code := countOutput(t, fast)
	if n != bursts*burst*width || code != 0 {
		t.Errorf("reading client got %d bytes and exit %d, want %d and 0", n, code, bursts*burst*width)
	}
	if e := waitExit(t, m, cfg.Dir); e.ExitCode != 0 {
		t.Errorf("exit code %d", e.ExitCode)
	}
	if n, code := countOutput(t, slow); code != -1 || n >= bursts*burst*width {
		t.Errorf("slow client got %d bytes and exit %d; want it cut off", n, code)
	}
	if n := len(readLogs(t, cfg.LogPath, LogOptions{Tail: -1})); n != bursts*burst {
		t.Errorf("log has %d entries, want %d", n, bursts*burst)
	}
}

// countOutput reads frames until the end, counting output bytes only.
func countOutput(t testing.TB, a *AttachConn) (n, exit int) {
	t.Helper()
	for {
		stream, p, err := a.ReadFrame()
		if errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) {
			return n, -1
		}
		if err != nil {
			t.Fatalf("ReadFrame: %v", err)
		}
		if stream == api.Exit {
			code, err := ExitCode(p)
			if err != nil {
				t.Fatal(err)
			}
			return n, code
		}
		n += len(p)
	}
}

// BenchmarkMonitorMemory reports the memory that one container's
// monitor costs: each iteration starts a monitor whose container runs
// `cat` with an attached client that has sent a line through it (the
// output path is warm), and once all run, the mean proportional set size
// (PSS-MiB/container) and resident set size (RSS-MiB/container) of the
// monitors are reported. Pages of the binary and of libc are shared
// between monitors (and with the daemon), so PSS per monitor falls as
// more run: -benchtime 30x measures 30 at once. This is the figure behind
// the README's memory per container.
func BenchmarkMonitorMemory(b *testing.B) {
	for b.Loop() {
		cfg := testConfig(b)
		cfg.Stdin = true
		m := startMonitor(b, cfg)
		a := attach(b, cfg.Dir)
		runInit(b, m, "exec cat")
		if err := a.WriteStdin([]byte("warm up the output path\n")); err != nil {
			b.Fatal(err)
		}
		readUntil(b, a, func(s *session) bool { return strings.HasSuffix(s.stdout.String(), "\n") })
		b.Cleanup(func() {
			a.CloseStdin()
			waitExit(b, m, cfg.Dir)
		})
	}
	b.StopTimer()
	// Measured once all run: sharing lowers every monitor's share.
	pids := monitorPids(b)
	if len(pids) != b.N {
		b.Fatalf("found %d monitors, want %d", len(pids), b.N)
	}
	var pss, rss int
	for _, pid := range pids {
		f := smapsRollup(b, pid)
		pss += f["Pss"]
		rss += f["Rss"]
	}
	const kibPerMiB = 1024.0
	b.ReportMetric(float64(pss)/kibPerMiB/float64(b.N), "PSS-MiB/container")
	b.ReportMetric(float64(rss)/kibPerMiB/float64(b.N), "RSS-MiB/container")
}

// smapsRollup returns the kB fields of /proc/PID/smaps_rollup.
func smapsRollup(t testing.TB, pid int) map[string]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"))
	if err != nil {
		t.Fatal(err)
	}
	f := map[string]int{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB")); err == nil {
				f[k] = n
			}
		}
	}
	if f["Pss"] == 0 {
		t.Fatalf("no Pss in smaps_rollup of %d:\n%s", pid, b)
	}
	return f
}

// monitorPids lists the monitors that are our children.
func monitorPids(t testing.TB) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.HasPrefix(string(cmd), procName+"\x00") {
			continue
		}
		// Field 4 of stat, after "(comm)", is the parent's PID.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(os.Getpid()) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestInitIsTheStagesChild: the init is not the launched process but
// the child it leaves behind, as with the runtime's stage; the stage's
// own exit does not end the container, whether the init exits after it,
// before it, or leaves orphans that the monitor (a subreaper) adopts
// before the stage exits. Nobody tells the monitor the init's PID.
func TestInitIsTheStagesChild(t *testing.T) {
	tests := []struct {
		name   string
		delay  time.Duration // the stage's exit after the init's start
		script string
		code   int
	}{
		{name: "init exits last", script: "sleep 0.3; exit 4", code: 4},
		{name: "init exits first", delay: 300 * time.Millisecond, script: "exit 5", code: 5},
		// The init's orphan is adopted after the init, before the stage
		// exits: the init is still the first child the stage left.
		{name: "orphans adopted first", delay: 300 * time.Millisecond, script: "sleep 5 >/dev/null 2>&1 & exit 6", code: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			m := startMonitor(t, cfg)
			init := launchStage(t, m, tt.delay, tt.script)
			if e := waitExit(t, m, cfg.Dir); e.Pid != init || e.ExitCode != tt.code {
				t.Errorf("exit %+v, want pid %d code %d", e, init, tt.code)
			}
		})
	}
}

// TestInitWithoutChildrenList: on a kernel without
// /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN), the monitor finds
// the init by scanning /proc. The file is hidden here by a mount over the
// monitor's task directory.
func TestInitWithoutChildrenList(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: mounts over /proc/PID/task")
	}
	cfg := testConfig(t)
	m := startMonitor(t, cfg)
	task := fmt.Sprintf("/proc/%d/task", m.Pid())
	if err := unix.Mount("tmpfs", task, "tmpfs", 0, ""); err != nil {
		t.Fatalf("hiding %s: %v", task, err)
	}
	t.Cleanup(func() { unix.Unmount(task, unix.MNT_DETACH) })
	if _, err := os.Stat(fmt.Sprintf("%s/%d/children", task, m.Pid())); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the children list is still there: %v", err)
	}
	init := launchStage(t, m, 300*time.Millisecond, "sleep 5 >/dev/null 2>&1 & exit 6")
	if e := waitExit(t, m, cfg.Dir); e.Pid != init || e.ExitCode != 6 {
		t.Errorf("exit %+v, want pid %d code 6", e, init)
	}
}
