package builder

import (
	"context"
	"fmt"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// runSpec is a RUN instruction ready to run: its command line, the
// environment, the network and the --mount mounts, variables expanded.
type runSpec struct {
	argv    []string
	env     []string
	network string
	mounts  []runMount
	// script is the heredoc run as a file (RUN <<EOF starting with #!).
	script *heredocScript
}

// prepareRun expands and checks a RUN instruction.
func (s *stageRun) prepareRun(c *instructions.RunCommand) (runSpec, error) {
	var rs runSpec
	var err error
	if len(c.Files) > 0 {
		if rs.argv, rs.script, err = heredocArgv(s.shell(), c); err != nil {
			return rs, withKind(err, errdefs.ErrInvalidArgument)
		}
	} else {
		rs.argv = s.argv(c.ShellDependantCmdLine)
	}
	if len(rs.argv) == 0 {
		return rs, fmt.Errorf("RUN: empty command: %w", errdefs.ErrInvalidArgument)
	}
	rs.network = instructions.GetNetwork(c)
	if rs.network == instructions.NetworkDefault {
		rs.network = s.r.opts.Network
	}
	rs.env = s.runEnv()
	// --mount values see the stage's ARGs and ENV, as BuildKit's do.
	x := s.expander()
	if err := c.Expand(x.word); err != nil {
		return rs, withKind(fmt.Errorf("RUN --mount: %w", err), errdefs.ErrInvalidArgument)
	}
	wd := s.state.Config.Config.WorkingDir
	if wd == "" {
		wd = "/"
	}
	for _, m := range instructions.GetMounts(c) {
		rm, err := checkMount(m, wd)
		if err != nil {
			return rs, err
		}
		rs.mounts = append(rs.mounts, rm)
	}
	return rs, nil
}

// detail renders what, besides the instruction, decides the step's
// result: the command line, the network and the mounts.
func (rs runSpec) detail() string {
	d := jsonString(rs.argv) + " network=" + rs.network
	for _, m := range rs.mounts {
		d += " mount=" + m.describe()
	}
	if rs.script != nil {
		d += " heredoc=" + heredocContents{{Path: rs.script.name, Data: string(rs.script.data)}}.digest()
	}
	return d
}

// hashBindSources puts in the step's inputs the content of the context
// files its bind mounts read, so that a changed file runs the step again
// (as a changed COPY source does). Stages and images mounted with from=
// count by their key or id.
func (s *stageRun) hashBindSources(ctx context.Context, mounts []runMount, in *stepInputs) error {
	var srcs []string
	var froms []string
	for _, m := range mounts {
		if m.kind != "bind" {
			continue
		}
		if m.from != "" {
			froms = append(froms, m.from)
			continue
		}
		srcs = append(srcs, m.source)
	}
	for _, from := range froms {
		if j, ok := s.r.stageRef(from, s.index); ok {
			res, err := s.r.stageResult(ctx, j)
			if err != nil {
				return err
			}
			in.Detail += " from=" + res.key
			continue
		}
		if img, err := s.r.b.Store.Image(ctx, from); err == nil {
			in.Detail += " from=" + img.ID.String()
		}
	}
	if len(srcs) == 0 {
		return nil
	}
	tree := &sourceTree{root: s.r.ctxDir, context: true, ignore: s.r.ignore}
	sources, err := tree.collect("RUN --mount", cleanSources(srcs))
	if err != nil {
		return err
	}
	in.FilesDigest, in.FileList, _, err = s.hashSources(tree, sources)
	return err
}

// cleanSources makes bind sources context paths as COPY reads them.
func cleanSources(srcs []string) []string {
	out := make([]string, len(srcs))
	for i, s := range srcs {
		s = strings.TrimLeft(s, "/")
		if s == "" {
			s = "."
		}
		out[i] = s
	}
	return out
}
