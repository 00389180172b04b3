package runtime

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/errdefs"
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

// TestExecConfigMessage checks that the config message an exec sends,
// encoded once per run but for its process, is what encodeConfig gives
// for the whole config, and that the stage reads back that config, its
// spec and process included; the spec's seccomp profile, compiled into
// the program that travels in a memfd, is left out. A message after it
// is still read.
func TestExecConfigMessage(t *testing.T) {
	spec := &specs.Spec{Version: specs.Version, Hostname: `h"<&>`, Process: &specs.Process{Args: []string{"sleep"}},
		Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}},
			Seccomp: &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActAllow}}}}}
	p := &specs.Process{Args: []string{"sh", "-c", "echo >> /tmp/n"}, Cwd: "/", Env: []string{"A=b\n"}}
	for _, pid := range []int{42, 0} {
		rec := &record{ID: "c1", Bundle: "/b\u2028", Rootfs: "/r", Pid: pid, Config: spec}
		head, tail, err := configMessage(rec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := (&execPrep{configHead: head, configTail: tail}).config(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg := initConfig{ID: rec.ID, Bundle: rec.Bundle, Rootfs: rec.Rootfs, Spec: withoutSeccomp(spec), Exec: true, Process: p, InitPid: rec.Pid}
		want, err := encodeConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("pid %d: config message\n%q\nwant\n%q", pid, got, want)
		}
		if bytes.Contains(got, []byte("seccomp")) {
			t.Errorf("pid %d: the config message carries seccomp: %q", pid, got)
		}
		var stream bytes.Buffer
		stream.Write(got)
		newSyncConn(&stream).send(syncMsg{Type: msgHooksDone, Pid: 7})
		conn := newSyncConn(&stream)
		dec, err := conn.recvConfig()
		if err != nil {
			t.Fatalf("pid %d: reading the config: %v", pid, err)
		}
		cfg.SpecLen, cfg.ProcessLen = dec.SpecLen, dec.ProcessLen
		if !reflect.DeepEqual(*dec, cfg) {
			t.Errorf("pid %d: decoded %+v, want %+v", pid, dec, cfg)
		}
		if m, err := conn.expect(msgHooksDone); err != nil || m.Pid != 7 {
			t.Errorf("pid %d: the message after the config: %+v, %v", pid, m, err)
		}
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
