package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// statsFlags are the flags of stats.
type statsFlags struct {
	all, noStream, noTrunc bool
	format                 string
}

// statsCommand is Docker's stats: the containers' CPU, memory, network,
// block I/O and task counts, refreshed every second, or once.
func (c *cli) statsCommand() *cobra.Command {
	var f statsFlags
	cmd := &cobra.Command{
		Use:               "stats [-a] [--no-stream] [--no-trunc] [--format FORMAT] [CONTAINER...]",
		Short:             "Show the containers' resource usage (the running ones unless -a or names are given)",
		ValidArgsFunction: c.completeContainers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.stats(cmd.Context(), f, args)
		},
	}
	fs := cmd.Flags()
	fs.BoolVarP(&f.all, "all", "a", false, "show every container (the running ones by default)")
	fs.BoolVar(&f.noStream, "no-stream", false, "print one table and exit")
	fs.BoolVar(&f.noTrunc, "no-trunc", false, "do not shorten the ids")
	fs.StringVar(&f.format, "format", "", "table (default), json (one object per line), a Go template ('{{.Name}}\\t{{.CPUPerc}}') or 'table TEMPLATE'")
	return cmd
}

// statsTarget is one container shown: the name its row gives in the
// Container column (the name given, or the short id) and what the daemon
// is asked for.
type statsTarget struct {
	name, ref string
}

// statsEntry is the last sample of a target; invalid when its stream
// failed.
type statsEntry struct {
	target  statsTarget
	sample  api.ContainerStats
	invalid bool
	err     error
}

func (c *cli) stats(ctx context.Context, f statsFlags, args []string) error {
	format := f.format
	if format == "" || format == "table" {
		format = statsTableFormat
	}
	out, err := parseOutput(format)
	if err != nil {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	targets, err := statsTargets(ctx, cl, f.all, args)
	if err != nil {
		return refused(err)
	}
	// One sample of each, concurrently: the daemon answers each at once.
	entries := make([]*statsEntry, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		entries[i] = &statsEntry{target: t}
		wg.Go(func() {
			entries[i].sample, entries[i].err = cl.ContainerStats(ctx, t.ref)
		})
	}
	wg.Wait()
	var errs []error
	for _, e := range entries {
		if e.err != nil {
			errs = append(errs, e.err)
		}
	}
	if len(errs) > 0 {
		return refused(errors.Join(errs...))
	}
	if f.noStream {
		return printStats(c.out, out, entries, !f.noTrunc)
	}
	return c.streamStats(ctx, cl, out, f, args, entries)
}

// statsTargets are the containers named, or the running ones (every one
// with all) by short id, as Docker's stats.
func statsTargets(ctx context.Context, cl *client.Client, all bool, args []string) ([]statsTarget, error) {
	if len(args) > 0 {
		targets := make([]statsTarget, len(args))
		for i, a := range args {
			targets[i] = statsTarget{name: a, ref: a}
		}
		return targets, nil
	}
	list, err := cl.ContainerListWith(ctx, api.ContainerListOptions{All: all})
	if err != nil {
		return nil, err
	}
	targets := make([]statsTarget, len(list))
	for i, s := range list {
		targets[i] = statsTarget{name: shortID(s.ID), ref: s.ID}
	}
	return targets, nil
}

// printStats prints one table (or the template's lines) of entries.
func printStats(w io.Writer, out output, entries []*statsEntry, trunc bool) error {
	rows := make([]any, len(entries))
	for i, e := range entries {
		rows[i] = newStatsRow(e.target.name, e.sample, e.invalid, trunc)
	}
	return out.list(w, statsHeader, rows)
}

// statsBoard holds the entries of a streaming stats, in display order,
// updated by one stream per container.
type statsBoard struct {
	mu      sync.Mutex
	entries []*statsEntry
}

func (b *statsBoard) snapshot() []*statsEntry {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*statsEntry, len(b.entries))
	for i, e := range b.entries {
		c := *e
		out[i] = &c
	}
	return out
}

// has reports whether a target of that name is shown.
func (b *statsBoard) has(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.entries {
		if e.target.name == name {
			return true
		}
	}
	return false
}

// set records what a stream delivered (a sample, or its end).
func (b *statsBoard) set(name string, f func(*statsEntry)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.entries {
		if e.target.name == name {
			f(e)
		}
	}
}

// keep drops the entries whose name is not in names.
func (b *statsBoard) keep(names map[string]bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.entries[:0]
	for _, e := range b.entries {
		if names[e.target.name] {
			kept = append(kept, e)
		}
	}
	b.entries = kept
}

// streamStats redraws the table every second from one stream per
// container, starting with entries. On a terminal the screen is cleared
// before each table, as Docker's stats does; otherwise the tables follow
// each other. Without names, the containers are listed again at each
// refresh: new ones join, removed (or, without all, stopped) ones leave.
func (c *cli) streamStats(ctx context.Context, cl *client.Client, out output, f statsFlags, args []string, entries []*statsEntry) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	board := &statsBoard{}
	follow := func(e *statsEntry) {
		board.mu.Lock()
		board.entries = append(board.entries, e)
		board.mu.Unlock()
		name := e.target.name
		go func() {
			err := cl.ContainerStatsStream(ctx, e.target.ref, func(s api.ContainerStats) error {
				board.set(name, func(e *statsEntry) { e.sample, e.invalid = s, false })
				return nil
			})
			if ctx.Err() == nil {
				// Removed, or failed: shown as "--" until it leaves.
				board.set(name, func(e *statsEntry) { e.invalid, e.err = true, err })
			}
		}()
	}
	_, tty := terminal(c.out)
	tick := time.NewTicker(streamRefresh)
	defer tick.Stop()
	// The first table is the one-shot samples, printed before any
	// stream can replace one of them; then the streams start.
	shown := entries
	for started := false; ; started = true {
		if tty {
			io.WriteString(c.out, "\033[2J\033[H")
		}
		if err := printStats(c.out, out, shown, !f.noTrunc); err != nil {
			return err
		}
		if !started {
			for _, e := range entries {
				follow(e)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if len(args) == 0 {
			targets, err := statsTargets(ctx, cl, f.all, nil)
			if err != nil {
				return refused(fmt.Errorf("listing the containers: %w", err))
			}
			names := map[string]bool{}
			for _, t := range targets {
				names[t.name] = true
				if !board.has(t.name) {
					follow(&statsEntry{target: t, sample: api.ContainerStats{ID: t.ref}})
				}
			}
			board.keep(names)
		}
		shown = board.snapshot()
	}
}

// streamRefresh is how often a streaming stats redraws: the daemon's
// streams send a sample per second.
const streamRefresh = time.Second
