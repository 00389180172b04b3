package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/container-runtime/container-runtime/api"
)

// Layer statuses after which a layer's bar is full (the daemon's words,
// as Docker prints them).
var layerDone = map[string]bool{
	"Pull complete":        true,
	"Already exists":       true,
	"Pushed":               true,
	"Layer already exists": true,
	"Loaded":               true,
}

// newLayerView returns the view of a pull, push or load stream: a bar per
// layer on a terminal, plain lines otherwise.
func newLayerView(w io.Writer, tty bool) progressView {
	if tty {
		return newLayerBars(w)
	}
	return &layerLines{w: w, last: map[string]string{}}
}

// layerLines prints one line per change of a layer's status ("abc123:
// Downloading"), not per byte count, and the lines about the whole image.
type layerLines struct {
	w    io.Writer
	last map[string]string
}

func (v *layerLines) update(p api.Progress) {
	switch {
	case p.Stream != "":
		io.WriteString(v.w, p.Stream)
	case p.Layer == "" && p.Status != "":
		fmt.Fprintln(v.w, p.Status)
	case p.Layer != "" && p.Status != v.last[p.Layer]:
		v.last[p.Layer] = p.Status
		fmt.Fprintf(v.w, "%s: %s\n", p.Layer, p.Status)
	}
}

func (v *layerLines) close(bool) {}

// layerBars shows a bar per layer with its status and byte counts; lines
// about the whole image scroll above them.
type layerBars struct {
	p    *mpb.Progress
	bars map[string]*layerBar
	// order keeps the bars' creation order for close.
	order []*layerBar
}

// layerBar is one layer's bar and what its decorators show.
type layerBar struct {
	bar *mpb.Bar

	mu             sync.Mutex // the render goroutine reads these
	status         string
	current, total int64
	done           bool
}

func newLayerBars(w io.Writer) *layerBars {
	return &layerBars{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(30)), bars: map[string]*layerBar{}}
}

func (v *layerBars) update(p api.Progress) {
	switch {
	case p.Stream != "":
		io.WriteString(v.p, p.Stream)
		return
	case p.Layer == "":
		if p.Status != "" {
			fmt.Fprintln(v.p, p.Status)
		}
		return
	}
	lb := v.bars[p.Layer]
	if lb == nil {
		lb = &layerBar{}
		id := p.Layer
		lb.bar = v.p.AddBar(0,
			mpb.PrependDecorators(
				decor.Name(id+":", decor.WC{W: len(id) + 2, C: decor.DindentRight}),
				locked(&lb.mu, func() string {
					return lb.status
				}, decor.WCSyncSpaceR),
			),
			mpb.AppendDecorators(locked(&lb.mu, func() string {
				switch {
				case lb.total > 0:
					return humanSize(lb.current) + " / " + humanSize(lb.total)
				case lb.current > 0:
					return humanSize(lb.current)
				}
				return ""
			})),
		)
		v.bars[p.Layer] = lb
		v.order = append(v.order, lb)
	}
	lb.mu.Lock()
	lb.status = p.Status
	if p.Total > 0 {
		lb.total = p.Total
	}
	if p.Current > 0 {
		lb.current = p.Current
	}
	total, current, finish := lb.total, lb.current, layerDone[p.Status] && !lb.done
	lb.done = lb.done || finish
	lb.mu.Unlock()
	switch {
	case finish:
		lb.bar.SetTotal(-1, true)
	case total > 0:
		lb.bar.SetTotal(total, false)
		lb.bar.SetCurrent(current)
	}
}

func (v *layerBars) close(ok bool) {
	for _, lb := range v.order {
		lb.mu.Lock()
		done := lb.done
		lb.mu.Unlock()
		switch {
		case done:
		case ok:
			lb.bar.SetTotal(-1, true)
		default:
			lb.bar.Abort(false)
		}
	}
	v.p.Wait()
}
