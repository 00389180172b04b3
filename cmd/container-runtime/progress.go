package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

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
	b     *board
	lines lines

	mu          sync.Mutex // guards the fields the board's redraws read
	step, steps int
	instr       string
	done        bool
}

func newBuildBars(w io.Writer) *buildBars {
	v := &buildBars{}
	v.b = newBoard(w, v.rows)
	return v
}

// rows draws "Step 2/5 [=====>----------] RUN make".
func (v *buildBars) rows() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	counter, current, total := "Step -/-", int64(0), int64(0)
	if v.steps > 0 {
		counter, current, total = fmt.Sprintf("Step %d/%d", v.step, v.steps), int64(v.step-1), int64(v.steps)
	}
	if v.done {
		current, total = 1, 1
	}
	return []string{counter + " " + progressBar(current, total, 30) + " " + truncate(v.instr, 60)}
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
		fmt.Fprintln(v.b, l)
	}
}

func (v *buildBars) setStep(n, total int, instr string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.step, v.steps = n, total
	if instr != "" {
		v.instr = instr
	}
}

func (v *buildBars) close(ok bool) {
	v.mu.Lock()
	v.done = ok
	v.mu.Unlock()
	closeBoard(v.b, &v.lines)
}

// bootstrapBars shows debootstrap's progress on a terminal: its "I:"
// lines update a spinner with the current phase and a line count; other
// lines (warnings, our own messages) scroll above it.
type bootstrapBars struct {
	b     *board
	lines lines
	start time.Time

	mu    sync.Mutex
	count int
	phase string
	last  string
	done  bool
}

func newBootstrapBars(w io.Writer) *bootstrapBars {
	v := &bootstrapBars{start: time.Now()}
	v.b = newBoard(w, v.rows)
	return v
}

// rows draws "01:05 Retrieving 120 lines ⠹ Retrieving Packages".
func (v *bootstrapBars) rows() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	elapsed := time.Since(v.start)
	mark := spinner(elapsed)
	if v.done {
		mark = "done"
	}
	return []string{fmt.Sprintf("%s %s %d lines %s %s", mmss(elapsed), v.phase, v.count, mark, truncate(v.last, 60))}
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
			fmt.Fprintln(v.b, l)
		}
	}
}

func (v *bootstrapBars) close(ok bool) {
	v.mu.Lock()
	v.done = ok
	v.mu.Unlock()
	closeBoard(v.b, &v.lines)
}

// closeBoard prints what is left of the output above the rows and stops
// the board, its rows left as they are drawn last.
func closeBoard(b *board, out *lines) {
	if r := out.rest(); r != "" {
		fmt.Fprintln(b, r)
	}
	b.close()
}

// truncate shortens s to n characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
