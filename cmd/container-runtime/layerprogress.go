package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/container-runtime/container-runtime/api"
)

// layerDone reports a layer status after which the layer's bar is full
// (the daemon's words, as Docker prints them).
func layerDone(status string) bool {
	switch status {
	case "Pull complete", "Already exists", "Pushed", "Layer already exists", "Loaded":
		return true
	}
	return false
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
	b *board

	mu   sync.Mutex // the board's redraws read the bars
	bars map[string]*layerBar
	// order keeps the bars' creation order.
	order []*layerBar
}

// layerBar is what one layer's row shows.
type layerBar struct {
	id, status     string
	current, total int64
	done           bool
}

func newLayerBars(w io.Writer) *layerBars {
	v := &layerBars{bars: map[string]*layerBar{}}
	v.b = newBoard(w, v.rows)
	return v
}

// rows draws a row per layer, "ID: STATUS [====>---] 1.0MiB / 2.0MiB",
// the statuses padded to a common width.
func (v *layerBars) rows() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	statusWidth := 0
	for _, lb := range v.order {
		statusWidth = max(statusWidth, len(lb.status))
	}
	rows := make([]string, 0, len(v.order))
	for _, lb := range v.order {
		current, total := lb.current, lb.total
		if lb.done {
			current, total = 1, 1
		}
		size := ""
		switch {
		case lb.total > 0:
			size = humanSize(lb.current) + " / " + humanSize(lb.total)
		case lb.current > 0:
			size = humanSize(lb.current)
		}
		rows = append(rows, lb.id+": "+padRight(lb.status, statusWidth)+" "+progressBar(current, total, 30)+" "+size)
	}
	return rows
}

func (v *layerBars) update(p api.Progress) {
	switch {
	case p.Stream != "":
		io.WriteString(v.b, p.Stream)
		return
	case p.Layer == "":
		if p.Status != "" {
			fmt.Fprintln(v.b, p.Status)
		}
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	lb := v.bars[p.Layer]
	if lb == nil {
		lb = &layerBar{id: p.Layer}
		v.bars[p.Layer] = lb
		v.order = append(v.order, lb)
	}
	lb.status = p.Status
	if p.Total > 0 {
		lb.total = p.Total
	}
	if p.Current > 0 {
		lb.current = p.Current
	}
	lb.done = lb.done || layerDone(p.Status)
}

// close fills the bars of a pull that succeeded; after a failure they
// stay as they were.
func (v *layerBars) close(ok bool) {
	if ok {
		v.mu.Lock()
		for _, lb := range v.order {
			lb.done = true
		}
		v.mu.Unlock()
	}
	v.b.close()
}
