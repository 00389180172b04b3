package ocicompat

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/command"
	"github.com/container-runtime/container-runtime/internal/testutil/host"
)

// ociRuntime is one runtime under comparison: runc or ours, each with its
// own --root and cgroup parent.
type ociRuntime struct {
	name, bin, root string
	cgroupParent    string
	rootfs          string
	dir             string // bundles
}

// cli runs the runtime with --root and args.
func (rt *ociRuntime) cli(t testing.TB, args ...string) command.Result {
	t.Helper()
	return command.Run(t, rt.bin, append([]string{"--root", rt.root}, args...)...)
}

// bundle writes a bundle for container id running args: `runc spec`'s
// default config (what users of runc start from, ambient capabilities
// included), without a terminal, the shared rootfs, and a cgroup under
// the runtime's parent.
func (rt *ociRuntime) bundle(t testing.TB, runc, id string, args ...string) string {
	t.Helper()
	dir := filepath.Join(rt.dir, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	command.MustRun(t, runc, "spec", "--bundle", dir)
	editSpec(t, dir, func(spec map[string]any) {
		process := spec["process"].(map[string]any)
		process["terminal"] = false
		process["args"] = args
		spec["root"] = map[string]any{"path": rt.rootfs, "readonly": true}
		spec["linux"].(map[string]any)["cgroupsPath"] = "/" + rt.cgroupParent + "/" + id
	})
	return dir
}

// editSpec changes the config.json of bundle with edit.
func editSpec(t testing.TB, bundle string, edit func(spec map[string]any)) {
	t.Helper()
	path := filepath.Join(bundle, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	edit(spec)
	if b, err = json.MarshalIndent(spec, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// stateOf runs `state id` and decodes it; ok is false when state failed.
func (rt *ociRuntime) stateOf(t testing.TB, id string) (map[string]any, bool) {
	t.Helper()
	r := rt.cli(t, "state", id)
	if r.Code != 0 {
		return nil, false
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil {
		t.Errorf("%s state: %v in %q", rt.name, err, r.Stdout)
		return nil, false
	}
	return st, true
}

// step is what one command of the comparison did, in the terms go-runc
// relies on: the exit code and, for JSON output, its field names.
type step struct {
	name   string
	code   int
	fields []string // sorted field names of a JSON object (or of each list element)
	// output is compared too when set: what the container printed.
	output string
	res    command.Result
}

// jsonFields decodes a JSON object or a list of objects and returns the
// sorted names of the fields (of the first element of a list).
func jsonFields(t testing.TB, out string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Errorf("output is not JSON: %v: %q", err, out)
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		return slices.Sorted(maps.Keys(x))
	case []any:
		if len(x) > 0 {
			if m, ok := x[0].(map[string]any); ok {
				return slices.Sorted(maps.Keys(m))
			}
		}
	}
	return nil
}

// pidsOf decodes `ps --format json` as go-runc does: a list of PIDs
// (null is an empty one).
func pidsOf(t testing.TB, r command.Result) []int {
	t.Helper()
	var pids []int
	if err := json.Unmarshal([]byte(r.Stdout), &pids); err != nil {
		t.Errorf("ps --format json: %v in %v", err, r)
	}
	return pids
}

// waitStopped waits until state says id is stopped, or fails.
func (rt *ociRuntime) waitStopped(t testing.TB, id string) {
	t.Helper()
	var st map[string]any
	ok := true
	testutil.WaitFor(t, 20*time.Second, fmt.Sprintf("%s: %s to stop", rt.name, id), func() bool {
		st, ok = rt.stateOf(t, id)
		return !ok || st["status"] == "stopped"
	})
	if !ok {
		t.Errorf("%s: state of %s failed while waiting for it to stop", rt.name, id)
	}
}

// lifecycle drives one container through what containerd's shim does
// with go-runc, checks what must hold for each runtime on its own, and
// returns the steps for comparison with the other runtime.
func (rt *ociRuntime) lifecycle(t *testing.T, runc string) []step {
	var steps []step
	record := func(name string, r command.Result, fields []string) command.Result {
		steps = append(steps, step{name: name, code: r.Code, fields: fields, res: r})
		return r
	}
	withFields := func(name string, r command.Result) command.Result {
		var f []string
		if r.Code == 0 {
			f = jsonFields(t, r.Stdout)
		}
		return record(name, r, f)
	}
	const id = "parity"
	bundle := rt.bundle(t, runc, id, "sleep", "100")
	pidFile := filepath.Join(rt.dir, "parity.pid")

	record("create", rt.cli(t, "create", "--bundle", bundle, "--pid-file", pidFile, id), nil)
	st := withFields("state (created)", rt.cli(t, "state", id))
	created, _ := rt.stateOf(t, id)
	if created["status"] != "created" {
		t.Errorf("%s: status %v after create, want created (%v)", rt.name, created["status"], st)
	}
	pid, _ := created["pid"].(float64)
	if b, err := os.ReadFile(pidFile); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(int(pid)) {
		t.Errorf("%s: --pid-file holds %q (%v), want the state's pid %v", rt.name, b, err, pid)
	}
	record("start", rt.cli(t, "start", id), nil)
	withFields("state (running)", rt.cli(t, "state", id))
	if st, _ := rt.stateOf(t, id); st["status"] != "running" {
		t.Errorf("%s: status %v after start, want running", rt.name, st["status"])
	}

	r := withFields("list --format json", rt.cli(t, "list", "--format", "json"))
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &list); err != nil || len(list) != 1 || list[0]["id"] != id {
		t.Errorf("%s: list --format json: want one entry for %s: %v", rt.name, id, r)
	}
	r = record("ps --format json", rt.cli(t, "ps", "--format", "json", id), nil)
	if pids := pidsOf(t, r); !slices.Equal(pids, []int{int(pid)}) {
		t.Errorf("%s: ps --format json = %v, want [%v]", rt.name, pids, pid)
	}
	// docker top: ps(1)'s table, header and the container's lines.
	r = record("ps (table)", rt.cli(t, "ps", id, "-ef"), nil)
	if lines := strings.Split(strings.TrimSpace(r.Stdout), "\n"); !strings.Contains(lines[0], "PID") ||
		len(lines) != 2 || !strings.Contains(lines[1], strconv.Itoa(int(pid))) {
		t.Errorf("%s: ps -ef: want the header and one line for %v: %v", rt.name, pid, r)
	}
	record("exec --detach", rt.cli(t, "exec", "--detach", id, "sleep", "100"), nil)
	r = record("ps --format json (with exec)", rt.cli(t, "ps", "--format", "json", id), nil)
	if pids := pidsOf(t, r); len(pids) != 2 {
		t.Errorf("%s: ps --format json after exec = %v, want 2 PIDs", rt.name, pids)
	}
	record("start (running)", rt.cli(t, "start", id), nil)
	record("delete (running)", rt.cli(t, "delete", id), nil)

	record("kill --all KILL", rt.cli(t, "kill", "--all", id, "KILL"), nil)
	rt.waitStopped(t, id)
	withFields("state (stopped)", rt.cli(t, "state", id))
	r = record("ps --format json (stopped)", rt.cli(t, "ps", "--format", "json", id), nil)
	if r.Code == 0 {
		if pids := pidsOf(t, r); len(pids) != 0 {
			t.Errorf("%s: ps --format json after kill --all = %v, want none", rt.name, pids)
		}
	}
	record("kill (stopped)", rt.cli(t, "kill", id, "KILL"), nil)
	record("delete", rt.cli(t, "delete", id), nil)

	// containerd's shim takes "does not exist" in delete's error as
	// done; go-runc users match it for the other commands too.
	for _, args := range [][]string{{"state", id}, {"kill", id, "KILL"}, {"delete", id}, {"ps", "--format", "json", id}} {
		r := record(args[0]+" (missing)", rt.cli(t, args...), nil)
		if !strings.Contains(r.Stderr, "does not exist") {
			t.Errorf("%s: %s of a missing container: want \"does not exist\" in the error: %v", rt.name, args[0], r)
		}
	}
	record("delete --force (missing)", rt.cli(t, "delete", "--force", id), nil)
	r = record("list --format json (empty)", rt.cli(t, "list", "--format", "json"), nil)
	var empty []any
	if err := json.Unmarshal([]byte(r.Stdout), &empty); err != nil || len(empty) != 0 {
		t.Errorf("%s: list --format json with no container: want [] or null: %v", rt.name, r)
	}

	// delete --force of a running container kills it.
	const forced = "forced"
	bundle = rt.bundle(t, runc, forced, "sleep", "100")
	record("create (forced)", rt.cli(t, "create", "--bundle", bundle, forced), nil)
	record("start (forced)", rt.cli(t, "start", forced), nil)
	st2, _ := rt.stateOf(t, forced)
	record("delete --force (running)", rt.cli(t, "delete", "--force", forced), nil)
	record("state (force-deleted)", rt.cli(t, "state", forced), nil)
	if p, _ := st2["pid"].(float64); p > 0 {
		testutil.WaitFor(t, 20*time.Second, fmt.Sprintf("%s: pid %v to end after delete --force", rt.name, p), func() bool {
			return !alive(int(p))
		})
	}

	// run reports the process's exit code as its own.
	const exits = "exits"
	bundle = rt.bundle(t, runc, exits, "sh", "-c", "exit 7")
	record("run (exit 7)", rt.cli(t, "run", "--bundle", bundle, exits), nil)

	// Without a cgroup namespace the container sees its own cgroup at
	// /sys/fs/cgroup (runc binds it there), so its limits.
	const limited = "limited"
	bundle = rt.bundle(t, runc, limited, "sh", "-c",
		"cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")
	editSpec(t, bundle, func(spec map[string]any) {
		linux := spec["linux"].(map[string]any)
		linux["resources"] = map[string]any{"memory": map[string]any{"limit": 64 << 20}}
	})
	r = rt.cli(t, "run", "--bundle", bundle, limited)
	steps = append(steps, step{name: "run (memory limit inside)", code: r.Code, output: strings.TrimSpace(r.Stdout), res: r})
	if strings.TrimSpace(r.Stdout) != strconv.Itoa(64<<20) {
		t.Errorf("%s: the container reads its memory limit as %q, want %d: %v", rt.name, r.Stdout, 64<<20, r)
	}

	// A failed create explains itself in the JSON log, where
	// containerd reads it.
	const broken = "broken"
	bundle = rt.bundle(t, runc, broken, "/nonexistent")
	logPath := filepath.Join(rt.dir, "broken.log")
	r = rt.cli(t, "--log", logPath, "--log-format", "json", "create", "--bundle", bundle, broken)
	record("create (bad command, JSON log)", r, nil)
	if last := lastJSONLine(t, logPath); last["level"] != "error" || !strings.Contains(fmt.Sprint(last["msg"]), "/nonexistent") {
		t.Errorf("%s: last log line %v, want level error and a msg naming /nonexistent", rt.name, last)
	}
	record("state (after failed create)", rt.cli(t, "state", broken), nil)
	return steps
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || i+2 >= len(b) || (b[i+2] != 'Z' && b[i+2] != 'X')
}

// lastJSONLine decodes the last line of a JSON log.
func lastJSONLine(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("reading log: %v", err)
		return nil
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Errorf("log %s: last line is not JSON: %v\n%s", path, err, b)
	}
	return m
}

func TestRuncParity(t *testing.T) {
	testutil.RequireRoot(t)
	runc := testutil.RequireTool(t, "runc")
	ours := command.OCIRuntime(t)
	rootfs := busyboxRootfs(t)

	runtimes := []*ociRuntime{{name: "runc", bin: runc}, {name: "container-runtime-oci", bin: ours}}
	results := map[string][]step{}
	for _, rt := range runtimes {
		dir := t.TempDir()
		rt.root, rt.dir, rt.rootfs = filepath.Join(dir, "root"), dir, rootfs
		rt.cgroupParent = uniqueName("ocicompat-" + rt.name)
		host.CleanupCgroupParent(t, rt.cgroupParent) // after the deletes below
		t.Cleanup(func() {
			for _, id := range []string{"parity", "forced", "exits", "limited", "broken"} {
				rt.cli(t, "delete", "--force", id)
			}
		})
		t.Run(rt.name, func(t *testing.T) {
			results[rt.name] = rt.lifecycle(t, runc)
		})
	}

	want, got := results["runc"], results["container-runtime-oci"]
	if len(want) != len(got) {
		t.Fatalf("runc took %d steps, container-runtime-oci %d", len(want), len(got))
	}
	for i := range want {
		w, g := want[i], got[i]
		t.Run(w.name, func(t *testing.T) {
			if g.code != w.code {
				t.Errorf("exit code %d, runc's %d\nours: %v\nrunc: %v", g.code, w.code, g.res, w.res)
			}
			if !slices.Equal(g.fields, w.fields) {
				t.Errorf("JSON fields %v, runc's %v", g.fields, w.fields)
			}
			if g.output != w.output {
				t.Errorf("container output %q, runc's %q", g.output, w.output)
			}
		})
	}
}
