package security

import (
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestCVE_2019_5736_ProcSelfExeOverwrite guards against runc's
// CVE-2019-5736: a container overwrites the runtime's binary on the host
// through /proc/<pid>/exe of a runtime process that enters it.
//
// The attack, as published: the container replaces a binary that an
// operator will exec (here /bin/victim) with the script
// "#!/proc/self/exe", so that executing it starts the interpreter
// /proc/self/exe: the runtime's own binary, as a process of the
// container. The runtime's init stage, which enters the container for
// each `exec` before it executes the command, is such a process too. The
// attacker, in the same container, opens /proc/<pid>/exe of every new
// process with O_PATH and tries to reopen it for writing, both while the
// process runs and after it is gone. The runtime must hand the container
// nothing writable: no open for writing may succeed, and the binaries
// under test must keep their content.
//
// With Docker's default capabilities the ptrace access check already
// stops the attacker at the O_PATH open; with CAP_SYS_PTRACE added (as
// for debuggers) it passes that check, and the write protection of the
// runtime's binary itself must hold.
func TestCVE_2019_5736_ProcSelfExeOverwrite(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	dir := buildAttacker(t, "")
	for _, tc := range []struct {
		name  string
		flags []string
	}{
		{"default", nil},
		{"cap-add-SYS_PTRACE", []string{"--cap-add", "SYS_PTRACE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exeOverwrite(t, d, img, dir, tc.flags)
		})
	}
}

// exeOverwrite runs the attack of TestCVE_2019_5736_ProcSelfExeOverwrite
// in a container with more run flags.
func exeOverwrite(t *testing.T, d *daemon.Daemon, img, dir string, flags []string) {
	before := binaryHashes(t)
	args := append([]string{"run", "-d", "--name", "exe"}, attackerMount(dir)...)
	args = append(args, flags...)
	d.OK(t, append(args, img, attackerPath, "exe-watch", "/bin/victim", "90")...)
	defer d.Run(t, "rm", "-f", "exe")
	testutil.WaitFor(t, 30*time.Second, "the attacker to plant /bin/victim", func() bool {
		return strings.Contains(d.Run(t, "logs", "exe").Stdout, "ready\n")
	})
	const execs = 8
	for i := range execs {
		// The exit code does not matter: whether the script runs or not,
		// the runtime's process entered the container.
		r := d.Run(t, "exec", "exe", "/bin/victim")
		if r.TimedOut {
			t.Fatalf("exec of the planted script did not end: %v", r)
		}
		if i == 0 {
			t.Logf("exec of the planted script: %v", r)
		}
	}
	// The attacker (the container's PID 1) ends as soon as it sees
	// /tmp/done, and the end of PID 1 kills what is left in its pid
	// namespace: touch may be reported killed (137) after it did its work.
	// The attacker's own exit, below, is what must be 0.
	if r := d.Run(t, "exec", "exe", "touch", "/tmp/done"); r.Code != 0 && r.Code != 137 {
		t.Fatalf("%v\ndaemon log:\n%s", r, d.Log())
	}
	if r := d.Run(t, "wait", "exe"); r.Code != 0 || strings.TrimSpace(r.Stdout) != "0" {
		t.Fatalf("the attacker did not finish: %v", r)
	}
	out := d.OK(t, "logs", "exe")

	summary := attackerLines(out, "summary")
	if len(summary) != 1 {
		t.Fatalf("the attacker printed no summary:\n%s", out)
	}
	for _, p := range attackerLines(out, "proc") {
		if len(p) == 4 && p[3] == "write:ok" {
			t.Errorf("CVE-2019-5736: pid %s (exe %s) could be opened for writing from the container", p[0], p[1])
		}
	}
	for _, p := range attackerLines(out, "reopen") {
		if len(p) == 2 && p[1] == "ok" {
			t.Errorf("CVE-2019-5736: the exe of pid %s, held with O_PATH, could be reopened for writing from the container", p[0])
		}
	}
	if !strings.Contains(strings.Join(summary[0], " "), "writable=0") {
		t.Errorf("CVE-2019-5736: the attacker opened a runtime binary for writing: %v\n%s", summary[0], out)
	}
	for path, sum := range binaryHashes(t) {
		if before[path] != sum {
			t.Errorf("CVE-2019-5736: %s changed while a container attacked it", path)
		}
	}
	t.Logf("after %d execs of a #!/proc/self/exe script: %s", execs, strings.Join(summary[0], " "))
	t.Logf("what the attacker saw:\n%s", out)
}
