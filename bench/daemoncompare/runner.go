package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/bench/internal/measure"
)

// runner runs one short-lived container (`run --rm IMAGE /bin/true` or
// the runtime's `run` of a bundle) and times it. Runners are used from
// one goroutine.
type runner interface {
	name() string
	run(ctx context.Context) (measure.Sample, error)
}

// cmdRunner runs a command line per container.
//
// Its CPU time is everything outside the container's own cgroup: the
// command's process tree as wait4 reports it (unless born in a group,
// which then counts it), plus what the engine's groups used meanwhile
// (a daemon with its monitors or shims, podman's conmon).
type cmdRunner struct {
	label string
	argv  []string
	// env is added to this process's environment; dir is the working
	// directory (no stray ./.env is read).
	env []string
	dir string
	// bornIn, when set, is the group the command is started in; its
	// CPU time is then read from the groups, not from wait4.
	bornIn *group
	// groups are the groups whose CPU time counts (bornIn included when
	// set).
	groups []group
	// before, when set, runs before each run, untimed (a runtime's
	// leftover state removed, say).
	before func() error
	// settle, when set, runs after the command, before the CPU time is
	// read, untimed: it waits for the engine's background work of the run
	// (a veth deleted after the container's removal) to end, so that
	// its CPU time counts in this sample and not in the next one.
	settle func()
	// out receives the command's output (a file: no copying goroutine
	// runs during the timing); it is quoted when the command fails.
	out *os.File
}

func (r *cmdRunner) name() string { return r.label }

func (r *cmdRunner) run(ctx context.Context) (measure.Sample, error) {
	if r.before != nil {
		if err := r.before(); err != nil {
			return measure.Sample{}, err
		}
	}
	if err := resetFile(r.out); err != nil {
		return measure.Sample{}, err
	}
	cmd := exec.CommandContext(ctx, r.argv[0], r.argv[1:]...)
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Dir = r.dir
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if r.bornIn != nil {
		if err := r.bornIn.enter(); err != nil {
			return measure.Sample{}, err
		}
		defer r.bornIn.t.leave()
	}
	cpu0 := groupsUsage(r.groups)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if r.settle != nil && err == nil {
		r.settle()
	}
	cpu := groupsUsage(r.groups) - cpu0
	if r.bornIn == nil {
		cpu += measure.ProcessCPU(cmd.ProcessState)
	}
	if err != nil {
		if ctx.Err() != nil {
			return measure.Sample{}, ctx.Err()
		}
		out, _ := os.ReadFile(r.out.Name())
		return measure.Sample{}, fmt.Errorf("%s: %s: %v: %s", r.label, strings.Join(r.argv, " "), err, strings.TrimSpace(string(out)))
	}
	return measure.Sample{Wall: wall, CPU: cpu}, nil
}

// groupsUsage sums the CPU time so far of gs.
func groupsUsage(gs []group) time.Duration {
	var d time.Duration
	for _, g := range gs {
		d += g.usage()
	}
	return d
}

// resetFile empties f and rewinds it.
func resetFile(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// funcRunner runs a container with a function of this process (our
// client package). Its CPU time is this process's and what the groups
// used meanwhile.
type funcRunner struct {
	label  string
	fn     func(ctx context.Context) error
	groups []group
}

func (r *funcRunner) name() string { return r.label }

func (r *funcRunner) run(ctx context.Context) (measure.Sample, error) {
	cpu0 := measure.OwnCPU() + groupsUsage(r.groups)
	start := time.Now()
	err := r.fn(ctx)
	wall := time.Since(start)
	cpu := measure.OwnCPU() + groupsUsage(r.groups) - cpu0
	if err != nil {
		return measure.Sample{}, fmt.Errorf("%s: %w", r.label, err)
	}
	return measure.Sample{Wall: wall, CPU: cpu}, nil
}
