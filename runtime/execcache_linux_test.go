package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/nsenter"
)

// TestExecAfterRecreate checks that the records Exec keeps per container
// follow its state: after a delete and a create under the same id, an
// exec runs in the new container (its own marker, its own cgroup), not in
// what the first one left.
func TestExecAfterRecreate(t *testing.T) {
	id := testID(t)
	var rt *Runtime
	for _, marker := range []string{"first", "second"} {
		b := newTestBundle(t, "/bin/sh", "-c", "echo "+marker+" > /tmp/marker; echo ready; exec sleep 60")
		b.spec.Root.Readonly = false
		if rt == nil {
			rt = b.rt
		}
		b.rt = rt // one runtime, whose cache saw the first container
		c := b.create(t, id, CreateOptions{})
		c.start(t)
		c.out.waitFor(t, "ready")
		out, st := c.execIn(t, processSpec("/bin/sh", "-c",
			`cat /tmp/marker; [ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && echo same-cgroup`))
		if st.Code != 0 || !strings.Contains(out, marker+"\n") || !strings.Contains(out, "same-cgroup") {
			t.Errorf("exec in the %s container: code %d, output %q; want its marker, in its cgroup", marker, st.Code, out)
		}
		c.cleanup(t)
	}
}

// TestExecConfigMessage checks what follows "go" for an exec: the length
// of the process plan, then the plan nsenter.EncodePlan gives for the
// process, with the init's PID only when the container has no mount
// namespace of its own (the exec enters the init's root then). Nothing of
// the spec travels, its seccomp profile least of all.
func TestExecConfigMessage(t *testing.T) {
	p := &specs.Process{Args: []string{"sh", "-c", "echo >> /tmp/n"}, Cwd: "/", Env: []string{"A=b\n"}}
	for _, tt := range []struct {
		name       string
		namespaces []specs.LinuxNamespace
		chrootPid  int
	}{
		{"own mount namespace", []specs.LinuxNamespace{{Type: specs.MountNamespace}, {Type: specs.PIDNamespace}}, 0},
		{"host's mount namespace", []specs.LinuxNamespace{{Type: specs.PIDNamespace}}, 42},
	} {
		rec := &record{Pid: 42, Config: &specs.Spec{Linux: &specs.Linux{Namespaces: tt.namespaces}}}
		got, err := (&execPrep{rec: rec}).config(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := nsenter.EncodePlan(p, nsenter.PlanOptions{InitPid: tt.chrootPid})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 4 || int(binary.NativeEndian.Uint32(got)) != len(got)-4 || !bytes.Equal(got[4:], want) {
			t.Errorf("%s: config\n%q\nwant the length of, then\n%q", tt.name, got, want)
		}
		if bytes.Contains(got, []byte("seccomp")) {
			t.Errorf("%s: the config carries seccomp: %q", tt.name, got)
		}
	}
}

// TestInitConfigMessage checks that the "config" message of a create
// reads back as sent, its spec and plan included, without the seccomp
// profile, and that a message after it is still read.
func TestInitConfigMessage(t *testing.T) {
	spec := &specs.Spec{Version: specs.Version, Hostname: `h"<&>`, Process: &specs.Process{Args: []string{"sleep"}},
		Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}},
			Seccomp: &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow}}}}}
	plan, err := nsenter.EncodePlan(spec.Process, nsenter.PlanOptions{Startup: [][]string{{"setup", "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := initConfig{ID: "c1", Bundle: "/b\u2028", Rootfs: "/r", Spec: stageSpec(spec), Plan: plan}
	b, err := encodeConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("seccomp")) {
		t.Errorf("the config message carries seccomp: %q", b)
	}
	var stream bytes.Buffer
	stream.Write(b)
	newSyncConn(&stream).send(syncMsg{Type: msgHooksDone, Pid: 7})
	conn := newSyncConn(&stream)
	dec, err := conn.recvConfig()
	if err != nil {
		t.Fatalf("reading the config: %v", err)
	}
	cfg.SpecLen, cfg.PlanLen = dec.SpecLen, dec.PlanLen
	if !reflect.DeepEqual(*dec, cfg) {
		t.Errorf("decoded %+v, want %+v", dec, cfg)
	}
	if m, err := conn.expect(msgHooksDone); err != nil || m.Pid != 7 {
		t.Errorf("the message after the config: %+v, %v", m, err)
	}
}

// TestConfigMessageBad: a config line whose lengths do not match what
// follows, or without a config, fails with an error.
func TestConfigMessageBad(t *testing.T) {
	good, err := encodeConfig(initConfig{ID: "c", Spec: DefaultSpec()})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"no config":     []byte(`{"type":"config"}` + "\n"),
		"no spec":       []byte(`{"type":"config","config":{"id":"c","specLen":0}}` + "\n"),
		"cut short":     good[:len(good)-1],
		"huge length":   []byte(`{"type":"config","config":{"id":"c","specLen":1000000000}}` + "\n"),
		"not the stage": []byte(`{"type":"config","config":{"id":"c","specLen":2}}` + "\n{}"),
	} {
		if cfg, err := newSyncConn(bytes.NewBuffer(b)).recvConfig(); err == nil {
			t.Errorf("%s: read %+v; want an error", name, cfg)
		}
	}
}

// TestExecStatusFollowsRun checks that what Exec keeps per run does not
// hide a change of the container's status: after an exec filled it, a
// paused container refuses an exec, a resumed one takes it, and one whose
// init died refuses it.
func TestExecStatusFollowsRun(t *testing.T) {
	b := newTestBundle(t, "/bin/sh", "-c", "echo ready; exec sleep 60")
	id := testID(t)
	watchLeaks(t, b, id)
	c := b.create(t, id, CreateOptions{})
	c.start(t)
	c.out.waitFor(t, "ready")
	execOK := func(when string) {
		t.Helper()
		if out, st := c.execIn(t, processSpec("/bin/echo", "in")); st.Code != 0 || strings.TrimSpace(out) != "in" {
			t.Fatalf("exec %s: code %d, output %q", when, st.Code, out)
		}
	}
	execOK("running")
	if err := b.rt.Pause(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if _, err := b.rt.Exec(t.Context(), id, processSpec("true"), ExecOptions{}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("exec into a paused container: %v, want ErrConflict", err)
	}
	if err := b.rt.Resume(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	execOK("resumed")
	if err := b.rt.Kill(t.Context(), id, unix.SIGKILL, false); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	if _, err := b.rt.Exec(t.Context(), id, processSpec("true"), ExecOptions{}); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("exec into a stopped container: %v, want ErrConflict", err)
	}
}
