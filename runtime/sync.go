package runtime

import (
	"encoding/json"
	"fmt"
	"io"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The parent (Create or Exec) and the container process talk over one
// socketpair, one JSON object per line. The first messages are exchanged
// with the C stage (internal/nsenter/nsenter.c); the rest with the Go init
// stage (init_linux.go) that runs in the cloned child of a create:
//
//	who     sends            when
//	parent  go               proceed (the stage moved itself into the
//	                         container's cgroups first, _CRT_CGROUPFDS)
//	stage   usermap          new user namespace made; parent writes maps
//	parent  usermap-ack      maps written
//	stage   pid              the container process exists (then stage exits);
//	                         with the stage's timestamps
//	parent  config           initConfig: what to set up
//	init    hooks            mounts are prepared (create only); parent runs
//	                         prestart and createRuntime hooks
//	parent  hooks-done       hooks succeeded (or error: init exits)
//	init    ready            set up and waiting on the exec fifo (create
//	                         only); with the init's timestamps
//	either  error            what failed; the other side gives up
//
// With CreateOptions.Init the cloned child stays in the C stage as the
// minimal init: "pid" is its PID and the Go init stage runs in its child.
//
// An exec never runs Go in the container: after "go" the parent sends, in
// the same write, the process plan (internal/nsenter/process.h) as a
// 32-bit length in host byte order and the plan, which the C stage's
// clone reads and carries out. There is no "config" and no "ready": the
// socket is close-on-exec, so the parent reads EOF once the process has
// been executed, or an "error" before that. And an exec's stage writes its
// PID to a pipe (nsenter.EnvPidPipe), not "pid" to the socket: the parent
// then waits on the socket once per exec, for its outcome.
const (
	msgGo         = "go"
	msgUsermap    = "usermap"
	msgUsermapAck = "usermap-ack"
	msgPid        = "pid"
	msgConfig     = "config"
	msgHooks      = "hooks"
	msgHooksDone  = "hooks-done"
	msgReady      = "ready"
	msgError      = "error"
)

// syncMsg is one line of the protocol.
type syncMsg struct {
	Type    string      `json:"type"`
	Pid     int         `json:"pid,omitempty"`
	Message string      `json:"message,omitempty"`
	Config  *initConfig `json:"config,omitempty"`
	// Times are the sender's timestamps (ns of the wall clock) of the
	// steps it finished, on "pid" and "ready" (see createPhases).
	Times []int64 `json:"times,omitempty"`
}

// initConfig is what the Go stage needs to set up the process. Its
// spec and process do not travel as JSON: the "config" line gives their
// lengths, and their stage forms (stagespec.go) follow the line, in that
// order (encodeConfig).
type initConfig struct {
	ID     string `json:"id"`
	Bundle string `json:"bundle"`
	Rootfs string `json:"rootfs"`
	// SpecLen and PlanLen are the lengths of the spec's stage form and
	// of the process plan after the line.
	SpecLen int `json:"specLen"`
	PlanLen int `json:"planLen"`
	// Init runs the minimal init (nsenter.c) as PID 1; the C stage reads
	// it from the environment, the Go stage does not use it.
	Init bool `json:"init,omitempty"`
	// NewNetwork is true when the container has a new network namespace
	// whose loopback the init stage brings up.
	NewNetwork bool `json:"newNetwork,omitempty"`

	// Spec is the container's spec without its seccomp profile and
	// process (stageSpec).
	Spec *specs.Spec `json:"-"`
	// Plan is the process plan of the spec's process and the startup
	// commands (nsenter.EncodePlan), which the C process stage carries
	// out.
	Plan []byte `json:"-"`
}

// encodeConfig encodes the "config" message for cfg: its line, then the
// stage form of its spec and its process plan.
func encodeConfig(cfg initConfig) ([]byte, error) {
	spec := encodeStageSpec(nil, cfg.Spec)
	cfg.SpecLen = len(spec)
	cfg.PlanLen = len(cfg.Plan)
	b, err := json.Marshal(syncMsg{Type: msgConfig, Config: &cfg})
	if err != nil {
		return nil, fmt.Errorf("encoding %q: %w", msgConfig, err)
	}
	b = append(b, '\n')
	return append(append(b, spec...), cfg.Plan...), nil
}

// syncConn reads and writes protocol messages.
type syncConn struct {
	dec *json.Decoder
	enc *json.Encoder
	rw  io.ReadWriter
}

func newSyncConn(rw io.ReadWriter) *syncConn {
	return &syncConn{dec: json.NewDecoder(rw), enc: json.NewEncoder(rw), rw: rw}
}

func (c *syncConn) send(m syncMsg) error {
	if err := c.enc.Encode(m); err != nil {
		return fmt.Errorf("sending %q: %w", m.Type, err)
	}
	return nil
}

// sendConfig sends the "config" message (encodeConfig) in one write.
func (c *syncConn) sendConfig(cfg initConfig) error {
	b, err := encodeConfig(cfg)
	if err == nil {
		_, err = c.rw.Write(b)
	}
	if err != nil {
		return fmt.Errorf("sending %q: %w", msgConfig, err)
	}
	return nil
}

// recv reads the next message; io.EOF when the other side closed.
func (c *syncConn) recv() (syncMsg, error) {
	var m syncMsg
	if err := c.dec.Decode(&m); err != nil {
		return m, err
	}
	return m, nil
}

// recvConfig reads the "config" message, its spec and plan included.
func (c *syncConn) recvConfig() (*initConfig, error) {
	m, err := c.expect(msgConfig)
	if err != nil {
		return nil, err
	}
	cfg := m.Config
	if cfg == nil || cfg.SpecLen <= 0 || cfg.PlanLen <= 0 || cfg.SpecLen > maxStageForm || cfg.PlanLen > maxStageForm {
		return nil, fmt.Errorf("protocol: %q without a valid config", msgConfig)
	}
	// The decoder read ahead: what it holds comes first, from the end of
	// the line on.
	buf := c.dec.Buffered()
	b := make([]byte, 1+cfg.SpecLen+cfg.PlanLen)
	if _, err := io.ReadFull(io.MultiReader(buf, c.rw), b); err != nil {
		return nil, fmt.Errorf("reading the config's spec: %w", err)
	}
	if b[0] != '\n' {
		return nil, fmt.Errorf("protocol: %q line not ended by a newline", msgConfig)
	}
	b = b[1:]
	c.dec = json.NewDecoder(io.MultiReader(buf, c.rw))
	if cfg.Spec, err = decodeStageSpec(b[:cfg.SpecLen]); err != nil {
		return nil, err
	}
	cfg.Plan = b[cfg.SpecLen:]
	return cfg, nil
}

// maxStageForm bounds what recvConfig allocates for a spec or plan.
const maxStageForm = 64 << 20

// expect reads the next message and fails unless it has type want. An
// error message from the other side becomes the returned error.
func (c *syncConn) expect(want string) (syncMsg, error) {
	m, err := c.recv()
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return m, fmt.Errorf("container process exited before %q", want)
	}
	if err != nil {
		return m, fmt.Errorf("waiting for %q: %w", want, err)
	}
	if m.Type == msgError {
		return m, &processError{msg: m.Message}
	}
	if m.Type != want {
		return m, fmt.Errorf("protocol: got %q, want %q", m.Type, want)
	}
	return m, nil
}

// processError is a failure reported by the container process itself.
type processError struct{ msg string }

func (e *processError) Error() string { return e.msg }
