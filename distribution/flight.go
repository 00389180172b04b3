package distribution

import (
	"context"
	"sync"
)

// group runs one piece of work per key at a time and lets every caller
// asking for the same key while it runs wait for its result (what
// x/sync/singleflight does), with two differences that a long transfer
// needs: each caller keeps receiving progress, and the work is cancelled
// only when every caller waiting for it has gone, not when the first one
// gives up.
type group struct {
	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done   chan struct{}
	val    any
	err    error
	cancel context.CancelFunc

	// Guarded by group.mu.
	waiters int
	subs    map[int]func(Progress)
	nextSub int
}

// do runs fn under key, or joins the run already going. fn's context
// carries the values of the caller that started it (logger, store lease)
// but not its cancellation; report fans progress out to every caller's
// progress function (nil: none). joined, when set, is called when a caller
// joins a running call.
func (g *group) do(ctx context.Context, key string, progress func(Progress), joined func(string), fn func(ctx context.Context, report func(Progress)) (any, error)) (any, error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[string]*call{}
	}
	c, running := g.calls[key]
	if !running {
		workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call{done: make(chan struct{}), cancel: cancel, subs: map[int]func(Progress){}}
		g.calls[key] = c
		go func() {
			defer cancel()
			v, err := fn(workCtx, func(p Progress) { g.report(c, p) })
			g.mu.Lock()
			c.val, c.err = v, err
			if g.calls[key] == c {
				delete(g.calls, key)
			}
			g.mu.Unlock()
			close(c.done)
		}()
	}
	c.waiters++
	sub := c.nextSub
	c.nextSub++
	if progress != nil {
		c.subs[sub] = progress
	}
	g.mu.Unlock()
	if running && joined != nil {
		joined(key)
	}

	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		g.mu.Lock()
		delete(c.subs, sub)
		c.waiters--
		if c.waiters == 0 {
			// Nobody wants the result any more: stop the work, and
			// let the next caller start afresh rather than join a
			// cancelled run.
			c.cancel()
			if g.calls[key] == c {
				delete(g.calls, key)
			}
		}
		g.mu.Unlock()
		return nil, ctx.Err()
	}
}

// report sends p to the callers still waiting for c.
func (g *group) report(c *call, p Progress) {
	g.mu.Lock()
	subs := make([]func(Progress), 0, len(c.subs))
	for _, f := range c.subs {
		subs = append(subs, f)
	}
	g.mu.Unlock()
	for _, f := range subs {
		f(p)
	}
}
