package builder

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// dispatch turns one instruction into a step and runs it.
func (s *stageRun) dispatch(ctx context.Context, cmd instructions.Command) error {
	text := fmt.Sprint(cmd)
	x := s.expander()
	expandErr := func(err error) error {
		return withKind(fmt.Errorf("%s: expanding variables: %w", strings.ToUpper(cmd.Name()), err), errdefs.ErrInvalidArgument)
	}
	if e, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		// RUN is expanded by its shell, ARG defaults when declared.
		switch cmd.(type) {
		case *instructions.RunCommand, *instructions.ArgCommand:
		default:
			if err := e.Expand(x.word); err != nil {
				return expandErr(err)
			}
		}
	}
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		st, err := s.argStep(c, text)
		if err != nil {
			return err
		}
		return s.runStep(ctx, st)
	case *instructions.EnvCommand:
		parts := make([]string, len(c.Env))
		for i, kv := range c.Env {
			parts[i] = kvString(kv.Key, kv.Value)
		}
		return s.metaStep(ctx, text, "ENV "+strings.Join(parts, " "), func(cfg *ocispec.ImageConfig) {
			for _, kv := range c.Env {
				cfg.Env = setEnv(cfg.Env, kv.Key, kv.Value)
			}
		})
	case *instructions.LabelCommand:
		return s.labelStep(ctx, text, c.Labels)
	case *instructions.MaintainerCommand:
		return s.labelStep(ctx, text, instructions.KeyValuePairs{{Key: "maintainer", Value: c.Maintainer}})
	case *instructions.UserCommand:
		return s.metaStep(ctx, text, "USER "+c.User, func(cfg *ocispec.ImageConfig) { cfg.User = c.User })
	case *instructions.StopSignalCommand:
		// After expansion: STOPSIGNAL $SIG is checked here, a literal
		// one also when the Dockerfile is parsed.
		if err := checkStopSignal(c.Signal); err != nil {
			return err
		}
		return s.metaStep(ctx, text, "STOPSIGNAL "+c.Signal, func(cfg *ocispec.ImageConfig) { cfg.StopSignal = c.Signal })
	case *instructions.VolumeCommand:
		for _, v := range c.Volumes {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("VOLUME: empty path: %w", errdefs.ErrInvalidArgument)
			}
		}
		return s.metaStep(ctx, text, "VOLUME "+jsonString(c.Volumes), func(cfg *ocispec.ImageConfig) {
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			for _, v := range c.Volumes {
				cfg.Volumes[v] = struct{}{}
			}
		})
	case *instructions.ExposeCommand:
		ports, err := s.exposedPorts(x, c.Ports)
		if err != nil {
			return err
		}
		return s.metaStep(ctx, text, "EXPOSE "+strings.Join(ports, " "), func(cfg *ocispec.ImageConfig) {
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = map[string]struct{}{}
			}
			for _, p := range ports {
				cfg.ExposedPorts[p] = struct{}{}
			}
		})
	case *instructions.ShellCommand:
		return s.shellStep(ctx, text, c)
	case *instructions.CmdCommand:
		s.cmdSet = true
		argv := s.argv(c.ShellDependantCmdLine)
		return s.metaStep(ctx, text, "CMD "+jsonString(argv), func(cfg *ocispec.ImageConfig) { cfg.Cmd = argv })
	case *instructions.EntrypointCommand:
		return s.entrypointStep(ctx, text, c)
	case *instructions.HealthCheckCommand:
		return s.healthcheckStep(ctx, text, c)
	case *instructions.WorkdirCommand:
		return s.workdirStep(ctx, text, c.Path)
	case *instructions.RunCommand:
		return s.runCommandStep(ctx, text, c)
	case *instructions.CopyCommand:
		// CopyCommand.Expand leaves --from alone.
		from, err := x.word(c.From)
		if err != nil {
			return expandErr(err)
		}
		docs, err := expandHeredocs(c.SourceContents, s.r.df.escape, x.env)
		if err != nil {
			return expandErr(err)
		}
		return s.copyStep(ctx, text, copyRequest{
			kind: "COPY", srcs: c.SourcePaths, dest: c.DestPath, from: from, chown: c.Chown, chmod: c.Chmod, docs: docs,
		})
	case *instructions.AddCommand:
		docs, err := expandHeredocs(c.SourceContents, s.r.df.escape, x.env)
		if err != nil {
			return expandErr(err)
		}
		return s.copyStep(ctx, text, copyRequest{
			kind: "ADD", srcs: c.SourcePaths, dest: c.DestPath, chown: c.Chown, chmod: c.Chmod, docs: docs,
		})
	}
	// checkSupported refused the others at parse time.
	return fmt.Errorf("%s is not supported: %w", strings.ToUpper(cmd.Name()), errdefs.ErrInvalidArgument)
}

// metaStep runs a step that only changes the image config (with change,
// which may be nil) and records it in the history.
func (s *stageRun) metaStep(ctx context.Context, text, instruction string, change func(*ocispec.ImageConfig)) error {
	return s.runStep(ctx, step{
		text: text,
		in:   stepInputs{Instruction: instruction},
		exec: func(context.Context) error {
			if change != nil {
				change(&s.state.Config.Config)
			}
			s.state.addHistory(instruction, true, time.Now())
			return nil
		},
	})
}

// argStep declares the ARGs of c in the stage; the step's inputs are their
// values, so that a changed build arg is named when the cache misses.
func (s *stageRun) argStep(c *instructions.ArgCommand, text string) (step, error) {
	in := stepInputs{Instruction: text, Args: map[string]string{}}
	for _, kv := range c.Args {
		v, err := resolveArg(kv, s.r.opts.BuildArgs, &s.r.meta, s.expander().word)
		if err != nil {
			return step{}, withKind(fmt.Errorf("ARG %s: %w", kv.Key, err), errdefs.ErrInvalidArgument)
		}
		s.args.declare(kv.Key, v)
		s.r.declared[kv.Key] = true
		if v != nil {
			in.Args[kv.Key] = *v
		}
	}
	return step{text: text, in: in}, nil
}

// labelStep adds labels to the image.
func (s *stageRun) labelStep(ctx context.Context, text string, labels instructions.KeyValuePairs) error {
	parts := make([]string, len(labels))
	for i, kv := range labels {
		parts[i] = kvString(kv.Key, kv.Value)
	}
	return s.metaStep(ctx, text, "LABEL "+strings.Join(parts, " "), func(cfg *ocispec.ImageConfig) {
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, kv := range labels {
			cfg.Labels[kv.Key] = kv.Value
		}
	})
}

// entrypointStep applies an ENTRYPOINT line with the build's meaning.
func (s *stageRun) entrypointStep(ctx context.Context, text string, c *instructions.EntrypointCommand) error {
	if s.r.entrypoint == image.EntrypointDocker {
		return s.dockerEntrypointStep(ctx, text, c)
	}
	return s.startupCommandStep(ctx, text, c)
}

// startupCommandStep appends a startup command: the seed's ENTRYPOINT, run
// before the target at every start of a container. `ENTRYPOINT []` clears
// the startup commands inherited so far.
func (s *stageRun) startupCommandStep(ctx context.Context, text string, c *instructions.EntrypointCommand) error {
	if !c.PrependShell && len(c.CmdLine) == 0 {
		return s.runStep(ctx, step{text: text, in: stepInputs{Instruction: "ENTRYPOINT []"}, exec: func(context.Context) error {
			s.state.StartupCommands = nil
			s.state.addHistory("ENTRYPOINT []", true, time.Now())
			return nil
		}})
	}
	argv := s.argv(c.ShellDependantCmdLine)
	instruction := "ENTRYPOINT " + jsonString(argv)
	return s.runStep(ctx, step{text: text, in: stepInputs{Instruction: instruction}, exec: func(context.Context) error {
		s.state.StartupCommands = append(s.state.StartupCommands, argv)
		s.state.addHistory(instruction, true, time.Now())
		return nil
	}})
}

// dockerEntrypointStep sets the config's Entrypoint, as Docker does: the
// shell form becomes SHELL + the line (so `sh -c` ignores the CMD that
// follows it), and a CMD inherited from the base is dropped, since its
// arguments were written for the base's entrypoint; a CMD of this stage
// stays. Startup commands inherited from a seed base still run first.
func (s *stageRun) dockerEntrypointStep(ctx context.Context, text string, c *instructions.EntrypointCommand) error {
	argv := s.argv(c.ShellDependantCmdLine)
	instruction := "ENTRYPOINT []"
	if len(argv) > 0 {
		instruction = "ENTRYPOINT " + jsonString(argv)
	}
	keepCmd := s.cmdSet
	in := stepInputs{Instruction: instruction, Detail: "meaning=" + image.EntrypointDocker}
	return s.runStep(ctx, step{text: text, in: in, exec: func(context.Context) error {
		cfg := &s.state.Config.Config
		cfg.Entrypoint = argv
		if !keepCmd {
			cfg.Cmd = nil
		}
		s.state.addHistory(instruction, true, time.Now())
		return nil
	}})
}

// argv returns the command line of a shell-form or exec-form instruction.
func (s *stageRun) argv(c instructions.ShellDependantCmdLine) []string {
	if c.PrependShell {
		return append(s.shell(), strings.Join(c.CmdLine, " "))
	}
	return slices.Clone(c.CmdLine)
}

// workdirStep sets the working directory and creates it when the image
// does not have it.
func (s *stageRun) workdirStep(ctx context.Context, text, p string) error {
	if p == "" {
		return fmt.Errorf("WORKDIR: empty path: %w", errdefs.ErrInvalidArgument)
	}
	if !path.IsAbs(p) {
		base := s.state.Config.Config.WorkingDir
		if base == "" {
			base = "/"
		}
		p = path.Join(base, p)
	}
	p = path.Clean(p)
	instruction := "WORKDIR " + p
	return s.runStep(ctx, step{text: text, in: stepInputs{Instruction: instruction}, exec: func(ctx context.Context) error {
		s.state.Config.Config.WorkingDir = p
		created, err := s.ensureDir(ctx, p)
		if err != nil {
			return err
		}
		s.state.addHistory(instruction, !created, time.Now())
		return nil
	}})
}

// runCommandStep runs a command in a container on the image so far, with
// its heredocs and --mount mounts (runstep.go).
func (s *stageRun) runCommandStep(ctx context.Context, text string, c *instructions.RunCommand) error {
	rs, err := s.prepareRun(c)
	if err != nil {
		return err
	}
	in := stepInputs{
		Instruction: text,
		Args:        s.argValues(),
		Detail:      rs.detail(),
	}
	if err := s.hashBindSources(ctx, rs.mounts, &in); err != nil {
		return err
	}
	return s.runStep(ctx, step{text: text, in: in, exec: func(ctx context.Context) error {
		return s.execRun(ctx, rs)
	}})
}

// exposedPorts expands and checks EXPOSE's ports ("80", "80/udp",
// "8000-8002/tcp"), returning them as "port/proto".
func (s *stageRun) exposedPorts(x expander, raw []string) ([]string, error) {
	var ports []string
	for _, r := range raw {
		words, err := x.words(r)
		if err != nil {
			return nil, withKind(fmt.Errorf("EXPOSE %s: %w", r, err), errdefs.ErrInvalidArgument)
		}
		for _, w := range words {
			p, proto, _ := strings.Cut(w, "/")
			if proto == "" {
				proto = "tcp"
			}
			proto = strings.ToLower(proto)
			if proto != "tcp" && proto != "udp" && proto != "sctp" {
				return nil, fmt.Errorf("EXPOSE %s: protocol must be tcp, udp or sctp: %w", w, errdefs.ErrInvalidArgument)
			}
			lo, hi, isRange := strings.Cut(p, "-")
			first, err1 := strconv.ParseUint(lo, 10, 16)
			last, err2 := first, error(nil)
			if isRange {
				last, err2 = strconv.ParseUint(hi, 10, 16)
			}
			if err1 != nil || err2 != nil || first == 0 || last < first {
				return nil, fmt.Errorf("EXPOSE %s: invalid port: %w", w, errdefs.ErrInvalidArgument)
			}
			for n := first; n <= last; n++ {
				ports = append(ports, fmt.Sprintf("%d/%s", n, proto))
			}
		}
	}
	return ports, nil
}

// kvString renders KEY=value, quoting values that need it.
func kvString(k, v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\"'\\") {
		v = strconv.Quote(v)
	}
	return k + "=" + v
}

// jsonString renders a list as a JSON array.
func jsonString(v []string) string {
	b, _ := json.Marshal(v)
	return string(b)
}
