package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// crun 1.8 refuses this host's hybrid cgroup layout (a cgroup2 mount at
// /sys/fs/cgroup/unified next to the v1 controllers). As bench/ocicompare
// does, crun runs in a private mount namespace without that mount: a
// helper, this program re-executed with -crun-helper under `unshare
// --mount`, starts every crun command and times it there. Only crun moves:
// our daemon and the other peers stay on the real layout. The helper is
// started once, so neither unshare nor the umount is in crun's times.
//
// The protocol, one JSON line each way per request, in order:
//
//	parent -> helper (stdin)   {"op": "run"}            time `crun run` of /bin/true on the bundle
//	                           {"op": "sleeper-start"}  `crun run -d` of the sleep bundle, untimed
//	                           {"op": "exec"}           time `crun exec SLEEPER /bin/true`
//	                           {"op": "sleeper-stop"}   `crun delete --force SLEEPER`, untimed
//	helper -> parent (stdout)  {"wall": NS, "cpu": NS, "err": "..."}  (err empty on success)
//
// The parent closing the helper's stdin ends it: the helper force-deletes
// whatever crun state is left and exits. It ignores the terminal's
// signals (its own process group, too) so that it always gets to.

// crunRequest is a request to the helper.
type crunRequest struct {
	Op string `json:"op"`
}

// crunAnswer is the helper's answer: the sample of a timed request, or
// the error.
type crunAnswer struct {
	Wall time.Duration `json:"wall"`
	CPU  time.Duration `json:"cpu"`
	Err  string        `json:"err,omitempty"`
}

// crunHelper is the parent's end of the helper.
type crunHelper struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	log string
}

// startCrunHelper starts the helper for crun at path on the core's
// bundles, with its output in log.
func startCrunHelper(path string, core *ociCore, tree *cgroupTree, log string) (*crunHelper, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	sleeper, err := core.sleeperBundle("crun-sleep")
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	h := &crunHelper{log: log}
	h.cmd = exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"`,
		self, "-crun-helper", tree.name, path, core.bundle, sleeper, filepath.Join(core.state, "crun"))
	h.cmd.Stderr = logFile
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if h.in, err = h.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	h.out = bufio.NewReader(stdout)
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the crun helper: %w", err)
	}
	return h, nil
}

// call sends one request and reads its answer.
func (h *crunHelper) call(op string) (measure.Sample, error) {
	b, _ := json.Marshal(crunRequest{Op: op})
	if _, err := h.in.Write(append(b, '\n')); err != nil {
		return measure.Sample{}, fmt.Errorf("crun helper: %w: %s", err, tail(h.log, 5))
	}
	line, err := h.out.ReadBytes('\n')
	if err != nil {
		return measure.Sample{}, fmt.Errorf("crun helper: reading its answer: %w: %s", err, tail(h.log, 5))
	}
	var a crunAnswer
	if err := json.Unmarshal(line, &a); err != nil {
		return measure.Sample{}, fmt.Errorf("crun helper: %w", err)
	}
	if a.Err != "" {
		return measure.Sample{}, errors.New(a.Err)
	}
	return measure.Sample{Wall: a.Wall, CPU: a.CPU}, nil
}

// close ends the helper (which deletes what crun left) and waits for it.
func (h *crunHelper) close() {
	h.in.Close()
	done := make(chan struct{})
	go func() {
		_ = h.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		fmt.Fprintf(os.Stderr, "daemoncompare: the crun helper (pid %d) did not exit; killing it\n", h.cmd.Process.Pid)
		_ = h.cmd.Process.Kill()
		<-done
	}
}

// crunRunner is a timed request to the helper as a runner.
type crunRunner struct {
	label, op string
	h         *crunHelper
}

func (r *crunRunner) name() string { return r.label }

func (r *crunRunner) run(ctx context.Context) (measure.Sample, error) {
	if err := ctx.Err(); err != nil {
		return measure.Sample{}, err
	}
	s, err := r.h.call(r.op)
	if err != nil {
		return measure.Sample{}, fmt.Errorf("%s: %w", r.label, err)
	}
	return s, nil
}

// crunHelperMain is the helper: args are the cgroup tree's name, crun's
// path, the bundle, the sleep bundle and crun's --root. It answers
// requests on stdin until it is closed.
func crunHelperMain(args []string) error {
	if len(args) != 5 {
		return fmt.Errorf("-crun-helper: want TREE CRUN BUNDLE SLEEP-BUNDLE ROOT, got %q", args)
	}
	signal.Ignore(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	treeName, crun, bundle, sleepBundle, root := args[0], args[1], args[2], args[3], args[4]
	tree, err := newCgroupTree(treeName)
	if err != nil {
		return err
	}
	g, err := tree.group("oci")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return err
	}
	out, err := os.CreateTemp(filepath.Dir(root), "crun-output-")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	id := fmt.Sprintf("daemoncompare-%d", os.Getpid())
	sleeper := id + "-sleep"
	deleteIfThere := func(name string) error {
		if _, err := os.Stat(filepath.Join(root, name)); err == nil {
			return exec.Command(crun, "--root", root, "delete", "--force", name).Run()
		}
		return nil
	}
	defer func() {
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if e.IsDir() {
				_ = exec.Command(crun, "--root", root, "delete", "--force", e.Name()).Run()
			}
		}
	}()
	runners := map[string]runner{
		"run": &cmdRunner{
			label: "crun run", argv: []string{crun, "--root", root, "run", "--bundle", bundle, id},
			bornIn: &g, groups: []group{g}, out: out,
			before: func() error { return deleteIfThere(id) },
		},
		"exec": &cmdRunner{
			label: "crun exec", argv: []string{crun, "--root", root, "exec", sleeper, "/bin/true"},
			bornIn: &g, groups: []group{g}, out: out,
		},
		"sleeper-start": &cmdRunner{
			label: "crun run -d", argv: []string{crun, "--root", root, "run", "--detach", "--bundle", sleepBundle, sleeper},
			bornIn: &g, out: out,
			before: func() error { return deleteIfThere(sleeper) },
		},
		"sleeper-stop": &cmdRunner{
			label: "crun delete", argv: []string{crun, "--root", root, "delete", "--force", sleeper}, out: out,
		},
	}
	ctx := context.Background()
	in := bufio.NewScanner(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req crunRequest
		var a crunAnswer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			a.Err = err.Error()
		} else if r, ok := runners[req.Op]; !ok {
			a.Err = fmt.Sprintf("unknown request %q", req.Op)
		} else if s, err := r.run(ctx); err != nil {
			a.Err = err.Error()
		} else {
			a.Wall, a.CPU = s.Wall, s.CPU
		}
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	return in.Err()
}
