package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// fromStage reads a FROM header's stage name: "FROM image AS name";
// compiled on first use, as every regexp here: most invocations never
// need it.
var fromStage = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^FROM\s+\S+(?:\s+AS\s+(\S+))?`)
})

// buildkitView is build --progress=plain: BuildKit's plain lines, one
// "#N [STAGE N/M] INSTRUCTION" header per step, the step's output and
// messages each prefixed "#N ", then "#N CACHED" or "#N DONE 1.2s".
// STAGE is the stage's name or stage-K (omitted for a one-stage
// Dockerfile until a second FROM is met); N/M number the build's steps.
type buildkitView struct {
	w io.Writer
	// step is the current step (0 before the first); stage its stage.
	step           int
	stage          string
	stages         int
	started        time.Time
	partial        string
	done, anything bool
}

func (v *buildkitView) update(p api.Progress) {
	if p.Stream == "" {
		return
	}
	text := v.partial + p.Stream
	v.partial = ""
	for text != "" {
		line, rest, ok := strings.Cut(text, "\n")
		if !ok {
			// Keep a partial line of RUN output for the next write.
			v.partial = line
			return
		}
		v.line(line)
		text = rest
	}
}

// line shows one whole line of the builder's output.
func (v *buildkitView) line(line string) {
	if m := stepLine().FindStringSubmatch(line); m != nil {
		v.finish()
		fmt.Sscan(m[1], &v.step)
		instr := m[3]
		if f := fromStage().FindStringSubmatch(instr); f != nil {
			v.stages++
			v.stage = f[1]
			if v.stage == "" {
				v.stage = fmt.Sprintf("stage-%d", v.stages-1)
			}
		}
		label := m[1] + "/" + m[2]
		if v.stages > 1 || v.stage != "" && !strings.HasPrefix(v.stage, "stage-") {
			label = v.stage + " " + label
		}
		fmt.Fprintf(v.w, "#%d [%s] %s\n", v.step, label, instr)
		v.started, v.done = time.Now(), false
		return
	}
	if v.step == 0 || v.done {
		fmt.Fprintln(v.w, line)
		return
	}
	switch t := strings.TrimSpace(line); {
	case t == "---> CACHED":
		fmt.Fprintf(v.w, "#%d CACHED\n", v.step)
		v.done = true
	case strings.HasPrefix(t, "---> cache miss: "):
		fmt.Fprintf(v.w, "#%d %s\n", v.step, strings.TrimPrefix(t, "---> "))
	case strings.HasPrefix(t, "---> "):
		v.finish()
	case strings.HasPrefix(line, "Successfully "):
		v.finish()
		fmt.Fprintln(v.w, line)
	default:
		fmt.Fprintf(v.w, "#%d %.3f %s\n", v.step, time.Since(v.started).Seconds(), line)
	}
}

// finish ends the current step with its time, once.
func (v *buildkitView) finish() {
	if v.step == 0 || v.done {
		return
	}
	fmt.Fprintf(v.w, "#%d DONE %.1fs\n", v.step, time.Since(v.started).Seconds())
	v.done = true
}

func (v *buildkitView) close(bool) {
	if v.partial != "" {
		v.line(v.partial)
		v.partial = ""
	}
}
