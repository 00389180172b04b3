package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/atomicfile"
	"github.com/container-runtime/container-runtime/internal/cgroup"
	"github.com/container-runtime/container-runtime/internal/rootfs"
)

const (
	stateFile = "state.json"
	fifoFile  = "exec.fifo"
)

// record is what state.json holds for one container.
type record struct {
	ID     string `json:"id"`
	Bundle string `json:"bundle"`
	Rootfs string `json:"rootfs"`
	Pid    int    `json:"pid"`
	// StartTime is field 22 of /proc/PID/stat, to tell our process from a
	// later one that got the same PID.
	StartTime   uint64            `json:"startTime"`
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	CgroupPaths map[string]string `json:"cgroupPaths,omitempty"`
	Config      *specs.Spec       `json:"config"`
	// HostRoot is the mount holding every mount of a container that has
	// no mount namespace of its own; Delete removes it.
	HostRoot *rootfs.HostRoot `json:"hostRoot,omitempty"`
}

func (r *Runtime) dir(id string) string { return filepath.Join(r.Root, id) }

// load reads the record of container id.
func (r *Runtime) load(id string) (*record, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(r.dir(id), stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("container %q: %w", id, errdefs.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading state of %q: %w", id, err)
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("state of %q is corrupt: %w (%w)", id, err, errCorruptState)
	}
	return &rec, nil
}

// errCorruptState is what load returns for a state.json it cannot
// decode. save replaces the file by a rename, so no crash of ours can
// leave it half written; without syncs a power cut can, and then nothing
// the record describes (processes, cgroups, mounts) outlived the reboot.
var errCorruptState = errors.New("state file cannot be decoded (left by a power cut?)")

// save writes the record atomically: a crash leaves the old or the new
// one. It is not synced: like runc's, the state describes processes,
// mounts and cgroups, none of which outlive a reboot, and it lives under
// /run (a tmpfs) in production. On a disk the two syncs cost a start
// milliseconds and would protect nothing (errCorruptState).
func (r *Runtime) save(rec *record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encoding state of %q: %w", rec.ID, err)
	}
	return atomicfile.WriteVolatile(filepath.Join(r.dir(rec.ID), stateFile), b, 0o600)
}

// status tells the container's status from its process and exec fifo.
func (r *Runtime) status(rec *record) Status {
	if rec.Pid == 0 {
		// Written by Create before the process exists; left behind if
		// that Create died.
		return StatusCreating
	}
	if !rec.alive() {
		return StatusStopped
	}
	if _, err := os.Lstat(filepath.Join(r.dir(rec.ID), fifoFile)); err == nil {
		return StatusCreated
	}
	if paused(rec) {
		return StatusPaused
	}
	return StatusRunning
}

func paused(rec *record) bool {
	p, ok := rec.CgroupPaths["freezer"]
	if !ok {
		return false
	}
	b, err := os.ReadFile(filepath.Join(p, "freezer.state"))
	return err == nil && bytes.HasPrefix(b, []byte("FROZEN"))
}

// alive reports whether the recorded init process still runs (a zombie
// counts as gone).
func (rec *record) alive() bool {
	if rec.Pid <= 0 {
		return false
	}
	st, state, err := procStat(rec.Pid)
	return err == nil && st == rec.StartTime && state != 'Z' && state != 'X'
}

// procStat returns the start time and the state letter of pid.
func procStat(pid int) (uint64, byte, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// The command name may contain spaces and parentheses: fields start
	// after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, 0, fmt.Errorf("parsing /proc/%d/stat", pid)
	}
	fields := bytes.Fields(b[i+2:])
	// fields[0] is field 3 (state); starttime is field 22.
	if len(fields) < 20 {
		return 0, 0, fmt.Errorf("parsing /proc/%d/stat: %d fields", pid, len(fields))
	}
	st, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("parsing start time in /proc/%d/stat: %w", pid, err)
	}
	return st, fields[0][0], nil
}

// cgroupOf returns the manager of the container's cgroup, or nil.
func (rec *record) cgroupOf() (cgroup.Manager, error) {
	if len(rec.CgroupPaths) == 0 {
		return nil, nil
	}
	return cgroup.Load(rec.CgroupPaths)
}

// State reports the container's state.
func (r *Runtime) State(ctx context.Context, id string) (*State, error) {
	rec, err := r.load(id)
	if err != nil {
		return nil, err
	}
	return r.stateOf(rec), nil
}

func (r *Runtime) stateOf(rec *record) *State {
	st := &State{
		OCIVersion: specs.Version,
		ID:         rec.ID,
		Status:     r.status(rec),
		Bundle:     rec.Bundle,
		Rootfs:     rec.Rootfs,
		Created:    rec.Created,
		Owner:      rec.Owner,
	}
	if rec.Config != nil {
		st.Annotations = rec.Config.Annotations
	}
	if st.Status != StatusStopped {
		st.Pid = rec.Pid
	}
	return st
}

// List reports the state of every container under Root.
func (r *Runtime) List(ctx context.Context) ([]State, error) {
	entries, err := os.ReadDir(r.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", r.Root, err)
	}
	var out []State
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		rec, err := r.load(e.Name())
		if err != nil {
			continue // being created or deleted
		}
		out = append(out, *r.stateOf(rec))
	}
	return out, nil
}

// hookState is the state handed to hooks on stdin.
func (r *Runtime) hookState(rec *record, status Status) specs.State {
	st := specs.State{
		Version: specs.Version,
		ID:      rec.ID,
		Status:  specs.ContainerState(status),
		Pid:     rec.Pid,
		Bundle:  rec.Bundle,
	}
	if rec.Config != nil {
		st.Annotations = rec.Config.Annotations
	}
	return st
}
