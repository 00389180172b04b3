package nsenter

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// openPath opens path O_PATH, for a child's descriptor; it is closed when
// t ends.
func openPath(t testing.TB, path string) *os.File {
	t.Helper()
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	t.Cleanup(func() { f.Close() })
	return f
}

// copyBusybox copies busybox to dir/name with mode perm and returns its path.
func copyBusybox(t testing.TB, dir, name string, perm os.FileMode) string {
	t.Helper()
	b, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, perm); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is subject to our umask.
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
	return path
}

// statusLines parses the "Key:\tvalue" lines of a /proc status file into
// key -> value with its fields separated by one space. Lines prefixed by
// prefix are read, others are skipped.
func statusLines(out, prefix string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		l, ok := strings.CutPrefix(l, prefix)
		if !ok || (prefix == "" && strings.HasPrefix(l, "probe ")) {
			continue
		}
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.Join(strings.Fields(v), " ")
		}
	}
	return m
}

// ourStatus is a line of our own /proc/self/status, as statusLines has it.
func ourStatus(t testing.TB, key string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	v, ok := statusLines(string(b), "")[key]
	if !ok {
		t.Fatalf("no %s line in /proc/self/status", key)
	}
	return v
}

// TestProcessIdentity: after Exec, the program has the plan's capability
// sets, user, groups, umask and no_new_privs. The capability cases are
// those the Go implementation was tested with: the kernel recomputes the
// sets at execve, so the sets the stage set (probed on its thread) and
// those the program has differ by the kernel's rules.
func TestProcessIdentity(t *testing.T) {
	requireChild(t)
	hex := func(m uint64) string { return fmt.Sprintf("%016x", m) }
	defaults, nbs, none := hex(maskDefaults), hex(maskNBS), hex(0)
	// What a spec without capabilities leaves: ours. Root's exec makes
	// its permitted set inheritable|bounding; every exec keeps the
	// inheritable set.
	bnd, inh := ourStatus(t, "CapBnd"), ourStatus(t, "CapInh")
	b, err1 := strconv.ParseUint(bnd, 16, 64)
	i, err2 := strconv.ParseUint(inh, 16, 64)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("our capability masks: %v", err)
	}
	rootPrm := hex(b | i)
	all := func(eff, prm, inh, bnd, amb string) map[string]string {
		return map[string]string{"CapEff": eff, "CapPrm": prm, "CapInh": inh, "CapBnd": bnd, "CapAmb": amb}
	}
	tests := []struct {
		name string
		p    specs.Process
		// pre are lines of the thread after Enter, post of the program
		// (both only those given).
		pre, post map[string]string
	}{
		{
			name: "root with docker's capabilities",
			p: specs.Process{
				User: specs.User{UID: 0, GID: 0, Umask: ptr(uint32(0o027)), AdditionalGids: []uint32{20, 10}},
				Capabilities: &specs.LinuxCapabilities{Bounding: dockerCaps, Effective: dockerCaps,
					Permitted: dockerCaps, Inheritable: dockerCaps, Ambient: dockerCaps},
			},
			pre: all(defaults, defaults, defaults, defaults, defaults),
			// Root's exec recomputes permitted as inheritable|bounding.
			post: merge(all(defaults, defaults, defaults, defaults, defaults), map[string]string{
				"Uid": "0 0 0 0", "Gid": "0 0 0 0", "Groups": "10 20", "Umask": "0027", "NoNewPrivs": "0",
			}),
		},
		{
			name: "user 1000 with ambient CAP_NET_BIND_SERVICE",
			p: specs.Process{
				User: specs.User{UID: 1000, GID: 1000}, NoNewPrivileges: true,
				Capabilities: &specs.LinuxCapabilities{Bounding: dockerCaps, Effective: dockerCaps,
					Permitted: dockerCaps, Inheritable: []string{"CAP_NET_BIND_SERVICE"},
					Ambient: []string{"CAP_NET_BIND_SERVICE"}},
			},
			pre: all(defaults, defaults, nbs, defaults, nbs),
			// A non-root exec of a plain file keeps only the ambient
			// set, which becomes permitted and effective.
			post: merge(all(nbs, nbs, nbs, defaults, nbs), map[string]string{
				"Uid": "1000 1000 1000 1000", "Gid": "1000 1000 1000 1000", "Groups": "", "Umask": "0000",
				"NoNewPrivs": "1",
			}),
		},
		{
			name: "user with groups and no capabilities in the spec",
			p:    specs.Process{User: specs.User{UID: 1000, GID: 1001, Umask: ptr(uint32(0o022)), AdditionalGids: []uint32{100, 27}}},
			// Without capabilities in the spec the bounding set is left
			// alone; the user's exec keeps no other.
			post: merge(all(none, none, inh, bnd, none), map[string]string{
				"Uid": "1000 1000 1000 1000", "Gid": "1001 1001 1001 1001", "Groups": "27 100", "Umask": "0022",
				"NoNewPrivs": "0",
			}),
		},
		{
			name: "root with no capabilities in the spec keeps ours",
			p:    specs.Process{},
			post: all(rootPrm, rootPrm, inh, bnd, none),
		},
		{
			name: "empty capability sets drop every capability",
			p:    specs.Process{Capabilities: &specs.LinuxCapabilities{}},
			pre:  all(none, none, none, none, none),
			post: merge(all(none, none, none, none, none), map[string]string{"Uid": "0 0 0 0"}),
		},
		{
			name: "no_new_privs",
			p:    specs.Process{NoNewPrivileges: true},
			post: map[string]string{"NoNewPrivs": "1", "Uid": "0 0 0 0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.Cwd = "/"
			p.Args = []string{busybox, "grep", "-E", "^(Cap|Uid|Gid|Groups|Umask|NoNewPrivs)", "/proc/self/status"}
			out := runChild(t, childSpec{Plan: encode(t, &p, PlanOptions{}), ProbeCaps: true}).ok(t)
			pre, post := statusLines(out, "probe "), statusLines(out, "")
			for k, want := range tt.pre {
				if pre[k] != want {
					t.Errorf("after Enter %s = %q, want %q", k, pre[k], want)
				}
			}
			for k, want := range tt.post {
				if got, ok := post[k]; !ok || got != want {
					t.Errorf("after execve %s = %q, want %q", k, got, want)
				}
			}
			if t.Failed() {
				t.Logf("the child printed:\n%s", out)
			}
		})
	}
}

// merge returns the keys of a and b.
func merge(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// TestProcessCwd: the working directory is created if missing, entered,
// and resolved so that it cannot lead out of the root (CVE-2024-21626).
func TestProcessCwd(t *testing.T) {
	requireChild(t)
	pwd := []string{busybox, "pwd"}

	t.Run("a missing cwd is created 0755 and entered", func(t *testing.T) {
		dir := t.TempDir()
		cwd := filepath.Join(dir, "a", "b")
		out := runChild(t, childSpec{Plan: encode(t, &specs.Process{Args: pwd, Cwd: cwd}, PlanOptions{})}).ok(t)
		if out != cwd+"\n" {
			t.Errorf("pwd printed %q, want %q", out, cwd)
		}
		// The child's umask is 0: the modes are the ones asked for.
		for _, d := range []string{filepath.Join(dir, "a"), cwd} {
			st, err := os.Stat(d)
			if err != nil {
				t.Fatalf("the cwd was not created: %v", err)
			}
			if !st.IsDir() || st.Mode().Perm() != 0o755 {
				t.Errorf("%s was created with mode %v, want drwxr-xr-x", d, st.Mode())
			}
		}
	})

	t.Run("a cwd the user cannot search", func(t *testing.T) {
		dir := t.TempDir() // 0700, root's
		if err := os.Chmod(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		p := &specs.Process{Args: pwd, Cwd: dir, User: specs.User{UID: 1000, GID: 1000}}
		got := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{})}).failed(t, "Enter")
		if want := fmt.Sprintf("process.cwd %q as uid 1000: permission denied", dir); got != want {
			t.Errorf("Enter: %q, want %q", got, want)
		}
	})

	t.Run("a cwd that is a file", func(t *testing.T) {
		p := &specs.Process{Args: pwd, Cwd: "/etc/passwd"}
		got := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{})}).failed(t, "Enter")
		if !strings.HasPrefix(got, `process.cwd "/etc/passwd": `) || !strings.Contains(got, "not a directory") {
			t.Errorf("Enter: %q, want it to name process.cwd and say it is not a directory", got)
		}
	})

	// A magic link is refused, whether it names a directory we hold (the
	// CVE: fd 3 is preserved, so still open at the resolution) or not.
	for _, tt := range []struct {
		name     string
		cwd      string
		preserve int
	}{
		{"a preserved directory descriptor", "/proc/self/fd/3", 1},
		{"a released directory descriptor", "/proc/self/fd/3", 0},
		{"our own cwd", "/proc/self/cwd", 0},
		{"a path under our root's link", "/proc/self/root/tmp", 0},
	} {
		t.Run("magic link: "+tt.name, func(t *testing.T) {
			dir := openPath(t, t.TempDir())
			p := &specs.Process{Args: pwd, Cwd: tt.cwd}
			r := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{}), Preserve: tt.preserve}, dir)
			got := r.failed(t, "Enter")
			if !strings.HasPrefix(got, fmt.Sprintf("process.cwd %q: ", tt.cwd)) || !strings.Contains(got, "magic link") {
				t.Errorf("Enter: %q, want it to name process.cwd %q and say a magic link is refused", got, tt.cwd)
			}
		})
	}

	// Directory descriptors above the preserved ones are replaced by an
	// eventfd before the cwd is resolved; the preserved ones are the
	// program's and stay.
	for _, tt := range []struct {
		preserve int
		want     []string
	}{
		{0, []string{"probe fd 3: anon_inode:[eventfd]", "probe fd 4: anon_inode:[eventfd]"}},
		{1, []string{"probe fd 3: directory", "probe fd 4: anon_inode:[eventfd]"}},
	} {
		t.Run(fmt.Sprintf("directory descriptors released with %d preserved", tt.preserve), func(t *testing.T) {
			rdonly, err := os.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer rdonly.Close()
			files := []*os.File{openPath(t, t.TempDir()), rdonly}
			spec := childSpec{Plan: encode(t, &specs.Process{Args: pwd, Cwd: "/tmp"}, PlanOptions{}),
				Preserve: tt.preserve, ProbeFDs: []int{3, 4}}
			out := runChild(t, spec, files...).ok(t)
			if want := strings.Join(tt.want, "\n") + "\n/tmp\n"; out != want {
				t.Errorf("the child printed %q, want %q", out, want)
			}
		})
	}

	// A symlink in the root resolves inside it, ".." and absolute targets
	// included: the cwd is created in the root, not on the host.
	for _, target := range []string{"/../../../../tmp", "../../../../../../tmp"} {
		t.Run("a symlink to "+target+" in a chroot", func(t *testing.T) {
			root := t.TempDir()
			copyBusybox(t, filepath.Join(root, "bin"), "busybox", 0o755)
			if err := os.Mkdir(filepath.Join(root, "tmp"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, filepath.Join(root, "escape")); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("nsenter-test-escape-%d-%d", os.Getpid(), time.Now().UnixNano())
			host := filepath.Join("/tmp", name)
			t.Cleanup(func() { os.RemoveAll(host) })
			p := &specs.Process{Args: []string{"/bin/busybox", "pwd"}, Cwd: "/escape/" + name}
			out := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{}), Chroot: root}).ok(t)
			if want := "/tmp/" + name + "\n"; out != want {
				t.Errorf("pwd printed %q, want %q", out, want)
			}
			if st, err := os.Stat(filepath.Join(root, "tmp", name)); err != nil || !st.IsDir() {
				t.Errorf("the cwd was not created inside the chroot: %v", err)
			}
			if _, err := os.Lstat(host); err == nil {
				t.Errorf("the cwd was created on the host, as %s", host)
			}
		})
	}
}

// TestProcessLookup: the program is looked up as Go's exec.LookPath
// would, in the PATH of the plan's env, after the cwd is entered.
func TestProcessLookup(t *testing.T) {
	requireChild(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	noExec := copyBusybox(t, filepath.Join(dir, "a"), "busybox", 0o644)
	if err := os.MkdirAll(filepath.Join(dir, "c", "busybox"), 0o755); err != nil {
		t.Fatal(err)
	}
	good := copyBusybox(t, filepath.Join(dir, "b"), "busybox", 0o755)
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := []string{"readlink", "/proc/self/exe"}
	tests := []struct {
		name string
		args []string
		env  []string
		cwd  string
		// Either the error of Enter, or what the program prints.
		wantErr, wantOut string
	}{
		{
			name:    "not in PATH",
			args:    []string{"nope"},
			env:     []string{"PATH=" + empty},
			wantErr: `process.args[0] "nope": executable file not found in $PATH`,
		},
		{
			name:    "not in the default PATH",
			args:    []string{"nsenter-test-nope"},
			wantErr: `process.args[0] "nsenter-test-nope": executable file not found in $PATH`,
		},
		{
			name:    "a directory",
			args:    []string{"/etc"},
			wantErr: `process.args[0] "/etc": is a directory`,
		},
		{
			name:    "a file without x bits",
			args:    []string{noExec},
			wantErr: fmt.Sprintf("process.args[0] %q: permission denied", noExec),
		},
		{
			name:    "a missing path",
			args:    []string{"/no/such/program"},
			wantErr: `process.args[0] "/no/such/program": no such file or directory`,
		},
		{
			// Skipped on the way: a missing directory, a file that is
			// not executable, a directory of the name.
			name: "the plan's PATH",
			args: append([]string{"busybox"}, exe...),
			env: []string{"PATH=/nonexistent:" + filepath.Dir(noExec) + ":" + filepath.Join(dir, "c") + ":" +
				filepath.Dir(good)},
			wantOut: good + "\n",
		},
		{
			name:    "a relative path in the cwd",
			args:    append([]string{"./busybox"}, exe...),
			cwd:     filepath.Dir(good),
			wantOut: good + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cwd := tt.cwd
			if cwd == "" {
				cwd = "/"
			}
			p := &specs.Process{Args: tt.args, Env: tt.env, Cwd: cwd}
			r := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{})})
			if tt.wantErr != "" {
				if got := r.failed(t, "Enter"); got != tt.wantErr {
					t.Errorf("Enter: %q, want %q", got, tt.wantErr)
				}
				return
			}
			if got := r.ok(t); got != tt.wantOut {
				t.Errorf("the program printed %q, want %q", got, tt.wantOut)
			}
		})
	}
}

// TestProcessLimits: rlimits and oom_score_adj are the plan's after exec;
// the memory limits that only lower the current ones wait until Exec, so
// that they do not bound the Go runtime of the init stage.
func TestProcessLimits(t *testing.T) {
	requireChild(t)
	p := &specs.Process{
		Args: []string{busybox, "sh", "-c", "cat /proc/self/limits; echo oom $(cat /proc/self/oom_score_adj)"},
		Cwd:  "/",
		Rlimits: []specs.POSIXRlimit{
			{Type: "RLIMIT_NOFILE", Soft: 1000, Hard: 2000},
			{Type: "RLIMIT_CORE", Soft: 1234, Hard: 5678},
			{Type: "RLIMIT_AS", Soft: 4 << 30, Hard: 4 << 30},
			{Type: "RLIMIT_DATA", Soft: 2 << 30, Hard: 3 << 30},
		},
		OOMScoreAdj: ptr(500),
	}
	var as unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &as); err != nil {
		t.Fatal(err)
	}
	if as.Max < 4<<30 {
		t.Fatalf("our RLIMIT_AS hard limit %d is below the test's 4 GiB", as.Max)
	}
	out := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{}), ProbeAS: true}).ok(t)
	// Still ours between Enter and Exec.
	if want := fmt.Sprintf("probe as: %d %d\n", as.Cur, as.Max); !strings.HasPrefix(out, want) {
		t.Errorf("RLIMIT_AS after Enter is not ours (%q): the child printed\n%s", want, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^Max open files +1000 +2000 +files`),
		regexp.MustCompile(`(?m)^Max core file size +1234 +5678 +bytes`),
		regexp.MustCompile(`(?m)^Max address space +4294967296 +4294967296 +bytes`),
		regexp.MustCompile(`(?m)^Max data size +2147483648 +3221225472 +bytes`),
		regexp.MustCompile(`(?m)^oom 500$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("the program's limits lack %s:\n%s", want, out)
		}
	}

	// The encoder leaves soft <= hard to the kernel; the stage names the
	// limit it could not set.
	p.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 300, Hard: 200}}
	got := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{})}).failed(t, "Enter")
	if want := "process.rlimits: setting RLIMIT_NOFILE to 300/200: invalid argument"; got != want {
		t.Errorf("Enter with a soft limit above the hard one: %q, want %q", got, want)
	}
}

// startupResult is a line of the startup report (runtime.StartupResult).
type startupResult struct {
	Args     []string `json:"args"`
	ExitCode int      `json:"exitCode"`
	Duration int64    `json:"durationNs"`
}

// TestProcessStartup: startup commands run in order, each to completion,
// with the process's identity and env, before the program; each is
// reported; the first that cannot run or fails stops the start and is
// named.
func TestProcessStartup(t *testing.T) {
	requireChild(t)
	pathDir := filepath.Dir(copyBusybox(t, t.TempDir(), "busybox", 0o755))
	bb := func(args ...string) []string { return append([]string{busybox}, args...) }
	tests := []struct {
		name    string
		cmds    [][]string
		uid     uint32
		env     []string
		wantErr string // the whole error of Startup, or a prefix when it ends in ": "
		// wantIn is in the error, when wantErr is a prefix.
		wantIn   string
		wantOut  string
		wantRuns []int // exit codes reported
	}{
		{
			name:     "a failing one stops the start",
			cmds:     [][]string{bb("true"), bb("sh", "-c", "exit 3"), bb("echo", "never")},
			wantErr:  `startup command #2 ["/bin/busybox" "sh" "-c" "exit 3"] exited with code 3`,
			wantRuns: []int{0, 3},
		},
		{
			name:     "in order before the program, as the process's user, with its env",
			cmds:     [][]string{bb("id", "-u"), bb("sh", "-c", "echo $FOO")},
			uid:      1000,
			env:      []string{"FOO=bar"},
			wantOut:  "1000\nbar\nprogram\n",
			wantRuns: []int{0, 0},
		},
		{
			name:     "found in the plan's PATH",
			cmds:     [][]string{{"busybox", "echo", "found"}},
			env:      []string{"PATH=" + pathDir},
			wantOut:  "found\nprogram\n",
			wantRuns: []int{0},
		},
		{
			name:     "killed by a signal",
			cmds:     [][]string{bb("sh", "-c", "kill -9 $$")},
			wantErr:  `startup command #1 ["/bin/busybox" "sh" "-c" "kill -9 $$"] exited with code 137`,
			wantRuns: []int{137},
		},
		{
			name:    "a missing one stops the start",
			cmds:    [][]string{{"/no/such/command"}},
			wantErr: `startup command #1 ["/no/such/command"]: `,
			wantIn:  "no such file or directory",
		},
		{
			name:    "one not in the PATH is named once",
			cmds:    [][]string{{"no-such-command"}},
			env:     []string{"PATH=" + pathDir},
			wantErr: `startup command #1 ["no-such-command"]: "no-such-command": executable file not found in $PATH`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &specs.Process{Args: bb("echo", "program"), Cwd: "/", Env: tt.env,
				User: specs.User{UID: tt.uid, GID: tt.uid}}
			rr, rw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer rr.Close()
			spec := childSpec{Plan: encode(t, p, PlanOptions{Startup: tt.cmds}), Startup: true, ReportFD: 3}
			r := runChild(t, spec, rw)
			rw.Close()
			var results []startupResult
			sc := bufio.NewScanner(rr)
			for sc.Scan() {
				var res startupResult
				if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
					t.Errorf("report line %q: %v", sc.Text(), err)
				}
				results = append(results, res)
			}
			if tt.wantErr != "" {
				got := r.failed(t, "Startup")
				if strings.HasSuffix(tt.wantErr, ": ") {
					if !strings.HasPrefix(got, tt.wantErr) || !strings.Contains(got, tt.wantIn) {
						t.Errorf("Startup: %q, want %q...%q", got, tt.wantErr, tt.wantIn)
					}
				} else if got != tt.wantErr {
					t.Errorf("Startup: %q, want %q", got, tt.wantErr)
				}
				if strings.Contains(r.stdout, "never") {
					t.Errorf("a command after the failed one ran: %q", r.stdout)
				}
			} else if out := r.ok(t); out != tt.wantOut {
				t.Errorf("printed %q, want %q", out, tt.wantOut)
			}
			if len(results) != len(tt.wantRuns) {
				t.Fatalf("%d commands reported, want %d: %+v", len(results), len(tt.wantRuns), results)
			}
			for i, res := range results {
				if res.ExitCode != tt.wantRuns[i] || !slices.Equal(res.Args, tt.cmds[i]) || res.Duration <= 0 {
					t.Errorf("report #%d: %+v, want args %q, exit code %d and a duration", i+1, res, tt.cmds[i], tt.wantRuns[i])
				}
			}
		})
	}
}

// TestProcessDescriptors: the program and the startup commands (an
// image's code) get the preserved descriptors, and none of the stage's:
// not the report pipe, nor one the stage inherited without close-on-exec,
// as the init stage inherits its sync socket and the exec fifo's O_PATH
// descriptor.
func TestProcessDescriptors(t *testing.T) {
	requireChild(t)
	rr, rw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var nulls [2]*os.File
	for i := range nulls {
		if nulls[i], err = os.Open("/dev/null"); err != nil {
			t.Fatal(err)
		}
		defer nulls[i].Close()
	}
	// fd 3 is preserved, fd 4 the report pipe, fd 5 the stage's.
	probe := func(who string) []string {
		return []string{busybox, "sh", "-c",
			`for fd in 3 4 5; do [ -e /proc/self/fd/$fd ] && echo "` + who + ` has fd $fd"; done; true`}
	}
	p := &specs.Process{Args: probe("program"), Cwd: "/"}
	spec := childSpec{Plan: encode(t, p, PlanOptions{Startup: [][]string{probe("startup")}}),
		Preserve: 1, Startup: true, ReportFD: 4}
	out := runChild(t, spec, nulls[0], rw, nulls[1]).ok(t)
	rw.Close()
	if want := "startup has fd 3\nprogram has fd 3\n"; out != want {
		t.Errorf("descriptors open in the startup command and the program:\n%s\nwant only the preserved one:\n%s", out, want)
	}
}

// TestProcessExecFailure: an Exec that fails returns why, naming the
// program.
func TestProcessExecFailure(t *testing.T) {
	requireChild(t)
	prog := copyBusybox(t, t.TempDir(), "prog", 0o755)
	p := &specs.Process{Args: []string{prog, "true"}, Cwd: "/"}
	got := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{}), Remove: prog}).failed(t, "Exec")
	if want := "executing \"" + prog + "\": no such file or directory"; got != want {
		t.Errorf("Exec: %q, want %q", got, want)
	}
}

// TestProcessExecFifo: OpenExecFifo tells Start we wait with one byte,
// and its descriptor closes at exec, which Start reads as EOF.
func TestProcessExecFifo(t *testing.T) {
	requireChild(t)
	path := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(path, 0o622); err != nil {
		t.Fatal(err)
	}
	// As the runtime makes it (Mkfifo's mode is subject to our umask):
	// writable by the process's user, who reopens it through /proc.
	if err := os.Chmod(path, 0o622); err != nil {
		t.Fatal(err)
	}
	// Opened first and non-blocking, so that the child's open for
	// writing does not wait for a reader.
	rfd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	reader := os.NewFile(uintptr(rfd), path)
	defer reader.Close()
	p := &specs.Process{Args: []string{busybox, "echo", "program"}, Cwd: "/", User: specs.User{UID: 1000, GID: 1000}}
	out := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{}), FifoFD: 3}, openPath(t, path)).ok(t)
	if out != "program\n" {
		t.Errorf("the program printed %q", out)
	}
	if err := unix.SetNonblock(rfd, false); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(reader)
	if err != nil || string(got) != "\x00" {
		t.Errorf("read %q, %v from the fifo, want one NUL byte then EOF", got, err)
	}
}

// TestProcessConsole: Console sends a pty master over the socket, with
// the slave's name, and makes the slave the program's terminal, of the
// plan's size.
func TestProcessConsole(t *testing.T) {
	requireChild(t)
	if _, err := os.Stat("/dev/ptmx"); err != nil {
		testutil.Missing(t, "needs /dev/ptmx: %v", err)
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours := os.NewFile(uintptr(pair[0]), "console-socket")
	defer ours.Close()
	theirs := os.NewFile(uintptr(pair[1]), "console-socket-child")
	p := &specs.Process{Args: []string{busybox, "sh", "-c", "stty size; tty"}, Cwd: "/", Terminal: true,
		ConsoleSize: &specs.Box{Height: 50, Width: 132}}
	type received struct {
		name   string
		master *os.File
		err    error
	}
	got := make(chan received, 1)
	go func() {
		buf, oob := make([]byte, 64), make([]byte, unix.CmsgSpace(4))
		n, oobn, _, _, err := unix.Recvmsg(pair[0], buf, oob, 0)
		if err != nil {
			got <- received{err: err}
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			got <- received{err: fmt.Errorf("control messages %v: %v", msgs, err)}
			return
		}
		fds, err := unix.ParseUnixRights(&msgs[0])
		if err != nil || len(fds) != 1 {
			got <- received{err: fmt.Errorf("rights %v: %v", fds, err)}
			return
		}
		got <- received{name: string(buf[:n]), master: os.NewFile(uintptr(fds[0]), "pty-master")}
	}()
	r := runChild(t, childSpec{Plan: encode(t, p, PlanOptions{}), ConsoleFD: 3}, theirs)
	theirs.Close()
	rcv := <-got
	if rcv.err != nil {
		t.Fatalf("receiving the master: %v (child: %v, %q)", rcv.err, r.err, r.stderr)
	}
	defer rcv.master.Close()
	// The slave is closed: what the program wrote is read, then EIO.
	var out bytes.Buffer
	io.Copy(&out, rcv.master)
	if r.err != nil {
		t.Fatalf("child: %v\nterminal:\n%s\nstderr:\n%s", r.err, out.String(), r.stderr)
	}
	if !regexp.MustCompile(`^/dev/pts/\d+$`).MatchString(rcv.name) {
		t.Errorf("the message with the master is %q, want the slave's name", rcv.name)
	}
	if want := "50 132\r\n" + rcv.name + "\r\n"; out.String() != want {
		t.Errorf("the program printed %q on its terminal, want %q", out.String(), want)
	}
}
