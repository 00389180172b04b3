package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/container-runtime/container-runtime/api"
)

// progressView shows an api.Progress stream: progress bars on a terminal,
// plain lines otherwise.
type progressView interface {
	// update shows one line of the stream.
	update(p api.Progress)
	// close stops the bars, marking them done when ok; it must be called
	// before anything else is printed.
	close(ok bool)
}

// layerProgress is the view of a pull, push or load, on stderr: one line
// per layer event, bars on a terminal, nothing when quiet.
func (c *cli) layerProgress(quiet bool) progressView {
	switch _, tty := terminal(c.err); {
	case quiet:
		return &plainView{w: io.Discard}
	case tty:
		return newLayerView(c.err, true)
	}
	return &layerLines{w: c.err, last: map[string]string{}}
}

// printAfter runs do, which reports its progress to view, closes view,
// and prints what do returned (an image id, a digest) on its own line.
func (c *cli) printAfter(view progressView, do func(update func(api.Progress)) (string, error)) error {
	v, err := do(view.update)
	view.close(err == nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, v)
	return nil
}

// lines splits a byte stream into complete lines.
type lines struct {
	buf []byte
}

// feed adds s and returns the lines it completed, without newlines.
func (l *lines) feed(s string) []string {
	l.buf = append(l.buf, s...)
	var out []string
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return out
		}
		out = append(out, string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

// rest returns what is left after the last newline.
func (l *lines) rest() string {
	s := string(l.buf)
	l.buf = nil
	return s
}

// plainView writes the stream's text as it comes, and makes up step and
// cache lines when the daemon sends only their numbers.
type plainView struct {
	w io.Writer
}

func (v *plainView) update(p api.Progress) {
	switch {
	case p.Stream != "":
		io.WriteString(v.w, p.Stream)
	case p.Step > 0:
		fmt.Fprintf(v.w, "Step %d/%d\n", p.Step, p.Steps)
	case p.Cached:
		io.WriteString(v.w, " ---> CACHED\n")
	}
}

func (v *plainView) close(bool) {}

// stepLine matches the builder's step headers: "Step N/M : INSTRUCTION".
var stepLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`)
})

// buildBars shows a build on a terminal: the output scrolls above a step
// counter that names the current instruction.
type buildBars struct {
	p     *mpb.Progress
	bar   *mpb.Bar
	lines lines

	mu          sync.Mutex // guards the fields the render goroutine reads
	step, steps int
	instr       string
}

func newBuildBars(w io.Writer) *buildBars {
	v := &buildBars{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(30))}
	v.bar = v.p.AddBar(0,
		mpb.PrependDecorators(locked(&v.mu, func() string {
			if v.steps == 0 {
				return "Step -/-"
			}
			return fmt.Sprintf("Step %d/%d", v.step, v.steps)
		}, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(locked(&v.mu, func() string {
			return truncate(v.instr, 60)
		})),
	)
	return v
}

func (v *buildBars) update(p api.Progress) {
	if p.Step > 0 {
		v.setStep(p.Step, p.Steps, "")
	}
	for _, l := range v.lines.feed(p.Stream) {
		if m := stepLine().FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			total, _ := strconv.Atoi(m[2])
			v.setStep(n, total, m[3])
		}
		fmt.Fprintln(v.p, l)
	}
}

func (v *buildBars) setStep(n, total int, instr string) {
	v.mu.Lock()
	v.step, v.steps = n, total
	if instr != "" {
		v.instr = instr
	}
	v.mu.Unlock()
	if total > 0 {
		v.bar.SetTotal(int64(total), false)
		v.bar.SetCurrent(int64(n - 1))
	}
}

func (v *buildBars) close(ok bool) { closeBar(v.p, v.bar, &v.lines, ok) }

// bootstrapBars shows debootstrap's progress on a terminal: its "I:"
// lines update a spinner with the current phase and a line count; other
// lines (warnings, our own messages) scroll above it.
type bootstrapBars struct {
	p     *mpb.Progress
	bar   *mpb.Bar
	lines lines

	mu    sync.Mutex
	count int
	phase string
	last  string
}

func newBootstrapBars(w io.Writer) *bootstrapBars {
	v := &bootstrapBars{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(20))}
	v.bar = v.p.New(0, mpb.SpinnerStyle(),
		mpb.PrependDecorators(
			decor.Elapsed(decor.ET_STYLE_MMSS, decor.WCSyncSpaceR),
			locked(&v.mu, func() string {
				return fmt.Sprintf("%s %d lines", v.phase, v.count)
			}, decor.WCSyncSpaceR),
		),
		mpb.AppendDecorators(locked(&v.mu, func() string {
			return truncate(v.last, 60)
		})),
	)
	return v
}

func (v *bootstrapBars) update(p api.Progress) {
	for _, l := range v.lines.feed(p.Stream) {
		msg, isInfo := strings.CutPrefix(l, "I: ")
		v.mu.Lock()
		v.count++
		if isInfo {
			v.last = msg
			if f := strings.Fields(msg); len(f) > 0 {
				v.phase = f[0]
			}
		}
		v.mu.Unlock()
		if !isInfo {
			fmt.Fprintln(v.p, l)
		}
	}
}

func (v *bootstrapBars) close(ok bool) { closeBar(v.p, v.bar, &v.lines, ok) }

// closeBar prints what is left of the output above bar, marks bar done
// (ok) or aborted, and waits for p to finish rendering.
func closeBar(p *mpb.Progress, bar *mpb.Bar, out *lines, ok bool) {
	if r := out.rest(); r != "" {
		fmt.Fprintln(p, r)
	}
	if ok {
		bar.SetTotal(-1, true)
	} else {
		bar.Abort(false)
	}
	p.Wait()
}

// truncate shortens s to n characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// locked is a decorator showing f's text, computed under mu: mpb renders
// on its own goroutine while update changes what f reads.
func locked(mu *sync.Mutex, f func() string, wc ...decor.WC) decor.Decorator {
	return decor.Any(func(decor.Statistics) string {
		mu.Lock()
		defer mu.Unlock()
		return f()
	}, wc...)
}
