package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// buildStartupImage builds "withsetup" on busybox: its startup command
// (ENTRYPOINT, the seed's meaning) writes /tmp/setup at every start.
func buildStartupImage(t testing.TB, d *daemon.Daemon, img string) string {
	t.Helper()
	dir := filepath.Join(d.Dir, "ctx-withsetup")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dockerfile := filepath.Join(dir, "Dockerfile")
	content := "FROM " + img + "\nENTRYPOINT echo setup-done > /tmp/setup\n"
	if err := os.WriteFile(dockerfile, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	build(t, d, "withsetup", dockerfile)
	return "withsetup"
}

// tickerScript prints "line N" ten times a second, for a minute at most.
const tickerScript = `i=0; while [ $i -lt 600 ]; do echo line $i; i=$((i+1)); sleep 0.1; done`

// lineNumbers returns the N of every "line N" in text.
func lineNumbers(text string) []int {
	var ns []int
	for _, m := range regexp.MustCompile(`(?m)^line (\d+)$`).FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		ns = append(ns, n)
	}
	return ns
}

// TestContainerFeatures exercises exec, logs --tail and -f, events, the
// startup commands and start phases in inspect, and trace, on one
// running container.
func TestContainerFeatures(t *testing.T) {
	d := daemon.New(t)
	img := buildStartupImage(t, d, d.Busybox(t))

	// --since replays what happened before the subscription was in place.
	events := d.Background(t, "events", "--since", "1m", "--format", "json", "--filter", "type=container")

	d.OK(t, "run", "-d", "--name", "feat", img, "sh", "-c", tickerScript)
	id := d.Inspect(t, "feat").ID

	t.Run("startup command ran", func(t *testing.T) {
		if out := d.OK(t, "exec", "feat", "cat", "/tmp/setup"); out != "setup-done\n" {
			t.Errorf("/tmp/setup holds %q, want the startup command's output", out)
		}
	})

	t.Run("exec", func(t *testing.T) {
		if r := d.Run(t, "exec", "feat", "sh", "-c", "exit 3"); r.Code != 3 {
			t.Errorf("exec of exit 3: %v", r)
		}
		if out := d.OK(t, "exec", "-e", "FOO=bar", "-w", "/tmp", "feat", "sh", "-c", `echo "$FOO $(pwd)"`); out != "bar /tmp\n" {
			t.Errorf("exec -e -w printed %q, want \"bar /tmp\"", out)
		}
		if out := d.OK(t, "exec", "-u", "nobody", "feat", "id", "-u"); out != "65534\n" {
			t.Errorf("exec -u nobody: id -u printed %q", out)
		}
		if r := d.Run(t, "exec", "feat", "/no/such/program"); r.Code != 127 && r.Code != 126 {
			t.Errorf("exec of a missing program: want 126 or 127\n%v", r)
		}
	})

	t.Run("logs", func(t *testing.T) {
		if !testutil.Eventually(30*time.Second, func() bool { return len(lineNumbers(d.Run(t, "logs", "feat").Stdout)) >= 5 }) {
			t.Fatalf("feat printed too little: %v", d.Run(t, "logs", "feat"))
		}
		tail := lineNumbers(d.OK(t, "logs", "--tail", "2", "feat"))
		if len(tail) != 2 || tail[1] != tail[0]+1 {
			t.Fatalf("logs --tail 2 gave lines %v, want two consecutive", tail)
		}
		follow := d.Background(t, "logs", "-f", "feat")
		if !testutil.Eventually(30*time.Second, func() bool {
			ns := lineNumbers(follow.Stdout())
			return len(ns) > 0 && ns[len(ns)-1] > tail[1]+5
		}) {
			t.Errorf("logs -f did not follow past line %d: %q", tail[1], follow.Stdout())
		}
		if ts := d.OK(t, "logs", "--timestamps", "--tail", "1", "feat"); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\S+ line \d+\n$`).MatchString(ts) {
			t.Errorf("logs --timestamps --tail 1 printed %q", ts)
		}
		// logs -f ends when the container does.
		d.OK(t, "kill", "feat")
		if r := follow.Wait(30 * time.Second); r.Code != 0 {
			t.Errorf("logs -f did not end with the container: %v", r)
		}
		ns := lineNumbers(follow.Stdout())
		for i := 1; i < len(ns); i++ {
			if ns[i] != ns[i-1]+1 {
				t.Errorf("logs -f skipped or repeated lines: %v", ns)
				break
			}
		}
	})

	t.Run("inspect", func(t *testing.T) {
		ci := d.Inspect(t, "feat")
		if len(ci.StartupCommands) != 1 {
			t.Fatalf("inspect shows startup commands %+v, want one", ci.StartupCommands)
		}
		sc := ci.StartupCommands[0]
		if sc.ExitCode != 0 || sc.Duration <= 0 || !strings.Contains(strings.Join(sc.Args, " "), "echo setup-done") {
			t.Errorf("startup command daemon.Result %+v, want echo setup-done, exit 0, a duration", sc)
		}
		var names []string
		for _, p := range ci.StartPhases {
			names = append(names, p.Name)
			if p.Duration < 0 {
				t.Errorf("phase %s took %v", p.Name, p.Duration)
			}
		}
		for _, want := range []string{"rootfs", "startup-commands", "exec"} {
			if !slices.Contains(names, want) {
				t.Errorf("start phases %v lack %q", names, want)
			}
		}
		// The CLI shows the same.
		if out := d.OK(t, "inspect", "feat"); !strings.Contains(out, "startPhases") || !strings.Contains(out, "setup-done") {
			t.Errorf("container-runtime inspect lacks the start phases or startup commands:\n%s", out)
		}
	})

	t.Run("events", func(t *testing.T) {
		d.OK(t, "rm", "feat")
		// events --format json prints Docker's events.Message with our
		// extras (pid, exitCode, startupCommand) beside it.
		type event struct {
			ID             string
			Action         string
			Pid            int
			ExitCode       *int
			StartupCommand *api.StartupResult
			Actor          struct{ Attributes map[string]string }
		}
		seen := map[string]event{}
		testutil.Eventually(10*time.Second, func() bool {
			for _, line := range strings.Split(events.Stdout(), "\n") {
				var e event
				if json.Unmarshal([]byte(line), &e) == nil && e.ID == id {
					seen[e.Action] = e
				}
			}
			_, destroyed := seen["destroy"]
			return destroyed
		})
		for _, action := range []string{"create", "start", "startup-command", "die", "destroy"} {
			if _, ok := seen[action]; !ok {
				t.Errorf("events did not show %s of feat; got:\n%s", action, events.Stdout())
			}
		}
		if e := seen["start"]; e.Pid <= 0 {
			t.Errorf("the start event has no pid: %+v", e)
		}
		if e := seen["startup-command"]; e.StartupCommand == nil || e.ExitCode == nil || *e.ExitCode != 0 {
			t.Errorf("the startup-command event has no daemon.Result: %+v", e)
		}
		if e := seen["die"]; e.ExitCode == nil || *e.ExitCode != 137 || e.Actor.Attributes["exitCode"] != "137" {
			t.Errorf("the die event %+v, want code 137 (killed)", e)
		}
	})

	t.Run("failing startup command", func(t *testing.T) {
		dir := filepath.Join(d.Dir, "ctx-failing")
		os.MkdirAll(dir, 0o755)
		dockerfile := filepath.Join(dir, "Dockerfile")
		os.WriteFile(dockerfile, []byte("FROM withsetup\nENTRYPOINT exit 9\n"), 0o644)
		build(t, d, "failsetup", dockerfile)
		r := d.Run(t, "run", "--rm", "failsetup", "echo", "never")
		if r.Code == 0 || strings.Contains(r.Stdout, "never") || !strings.Contains(r.Stderr, "exit 9") {
			t.Errorf("a failing startup command must stop the start with a message naming it\n%v", r)
		}
	})

	t.Run("trace", func(t *testing.T) {
		testutil.RequireTool(t, "strace")
		d.OK(t, "run", "-d", "--name", "traced", img, "sh", "-c", tickerScript)
		tr := d.Background(t, "trace", "traced")
		if !testutil.Eventually(30*time.Second, func() bool { return strings.Contains(tr.Stdout()+tr.Stderr(), "write(") }) {
			t.Errorf("trace shows no write( syscall: stdout %q stderr %q", tr.Stdout(), tr.Stderr())
		}
		tr.Interrupt()
		if r := tr.Wait(30 * time.Second); r.TimedOut {
			t.Errorf("trace did not end at Ctrl-C")
		}
		ci := d.Inspect(t, "traced")
		if !ci.StateDetail.Running {
			t.Errorf("the traced container stopped: %+v", ci.StateDetail)
		}
		// The daemon's strace lets go of the process once the client is gone.
		if !testutil.Eventually(10*time.Second, func() bool { return tracerPid(ci.StateDetail.Pid) == 0 }) {
			t.Errorf("pid %d is still traced (by %d) after the trace client left", ci.StateDetail.Pid, tracerPid(ci.StateDetail.Pid))
		}
		d.OK(t, "rm", "-f", "traced")
	})
}

// tracerPid returns the TracerPid of process pid (0: not traced, or gone).
func tracerPid(pid int) int {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}
