package builder

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/signal"
	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// instructionLike matches a word that could be a misspelt instruction,
// which an error may quote; any other first word is not quoted.
var instructionLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)

// dockerfile is a parsed and checked Dockerfile.
type dockerfile struct {
	// path is the Dockerfile's path as given, used in error messages.
	path string
	// escape is the escape character (the `# escape=` directive).
	escape rune
	// entrypoint is the meaning the `# entrypoint=` directive gives
	// ENTRYPOINT ("" without it).
	entrypoint string
	// metaArgs are the ARGs before the first FROM.
	metaArgs []instructions.ArgCommand
	// stages are the FROM sections in file order.
	stages []instructions.Stage
}

// parseDockerfileFile reads and parses the Dockerfile at path, which must
// lie in contextDir (see openDockerfile).
func parseDockerfileFile(contextDir, path string) (*dockerfile, error) {
	f, err := openDockerfile(contextDir, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseDockerfile(path, f)
}

// parseDockerfile parses the Dockerfile read from r, named path in errors,
// into stages, and refuses the instructions and flags this builder does
// not implement (rather than ignoring them).
func parseDockerfile(path string, r io.Reader) (*dockerfile, error) {
	entrypoint, r, err := readDirectives(path, r)
	if err != nil {
		return nil, err
	}
	lines := &lineLimitReader{r: r, line: 1}
	res, err := parser.Parse(lines)
	if lines.long != 0 {
		// buildkit stops at such a line and reports the line before
		// it, or none at all (Dockerfile:1).
		return nil, errorAt(path, lines.long, errdefs.ErrInvalidArgument,
			"line longer than %d bytes: split it with line continuations (the escape character, \\ by default, at the end of a line)", maxLineBytes)
	}
	if err != nil {
		return nil, errorAt(path, locationLine(err, 1), errdefs.ErrInvalidArgument, "%s", err.Error())
	}
	df := &dockerfile{path: path, escape: res.EscapeToken, entrypoint: entrypoint}
	for _, node := range res.AST.Children {
		if err := df.add(node); err != nil {
			return nil, err
		}
	}
	if len(df.stages) == 0 {
		return nil, errorAt(path, res.AST.EndLine, errdefs.ErrInvalidArgument, "no FROM instruction")
	}
	return df, nil
}

// add parses one instruction and appends it to its stage.
func (df *dockerfile) add(node *parser.Node) error {
	line := node.StartLine
	name := strings.ToLower(node.Value)
	if _, ok := command.Commands[name]; !ok {
		if !instructionLike.MatchString(node.Value) {
			// Not a misspelt instruction but some other file: its
			// content is not quoted back (it may be a secret the
			// client could not read itself).
			return errorAt(df.path, line, errdefs.ErrInvalidArgument, "the line does not start with a Dockerfile instruction: is %s a Dockerfile?", df.path)
		}
		return errorAt(df.path, line, errdefs.ErrInvalidArgument, "unknown instruction %s", strings.ToUpper(node.Value))
	}
	parsed, err := instructions.ParseInstruction(node)
	if err != nil {
		return errorAt(df.path, line, errdefs.ErrInvalidArgument, "%s", err.Error())
	}
	switch c := parsed.(type) {
	case *instructions.Stage:
		if c.Platform != "" {
			return errorAt(df.path, line, errdefs.ErrInvalidArgument, "FROM --platform is not supported")
		}
		if c.Name != "" {
			if _, dup := instructions.HasStage(df.stages, c.Name); dup {
				return errorAt(df.path, line, errdefs.ErrInvalidArgument, "duplicate stage name %q", c.Name)
			}
		}
		df.stages = append(df.stages, *c)
	case *instructions.ArgCommand:
		if len(df.stages) == 0 {
			df.metaArgs = append(df.metaArgs, *c)
			return nil
		}
		df.stages[len(df.stages)-1].AddCommand(c)
	case instructions.Command:
		if len(df.stages) == 0 {
			return errorAt(df.path, line, errdefs.ErrInvalidArgument, "%s before the first FROM", strings.ToUpper(name))
		}
		if err := checkSupported(c); err != nil {
			return &Error{File: df.path, Line: line, Err: withKind(err, errdefs.ErrInvalidArgument)}
		}
		df.stages[len(df.stages)-1].AddCommand(c)
	default:
		return errorAt(df.path, line, errdefs.ErrInvalidArgument, "%s is not an instruction", strings.ToUpper(name))
	}
	return nil
}

// checkSupported refuses the instructions and flags the builder does not
// implement, so that nothing in a Dockerfile is silently ignored.
func checkSupported(cmd instructions.Command) error {
	switch c := cmd.(type) {
	case *instructions.OnbuildCommand:
		return errors.New("ONBUILD is not supported")
	case *instructions.RunCommand:
		return checkRunFlags(c)
	case *instructions.CopyCommand:
		if err := checkChmod("COPY", c.Chmod); err != nil {
			return err
		}
		switch {
		case c.Link:
			return errors.New("COPY --link is not supported")
		case c.Parents:
			return errors.New("COPY --parents is not supported")
		case len(c.ExcludePatterns) > 0:
			return errors.New("COPY --exclude is not supported")
		}
	case *instructions.AddCommand:
		for _, src := range c.SourcePaths {
			if isURL(src) {
				return fmt.Errorf("ADD from a URL is not supported: use RUN curl (or wget): %s", src)
			}
		}
		if err := checkChmod("ADD", c.Chmod); err != nil {
			return err
		}
		switch {
		case c.Link:
			return errors.New("ADD --link is not supported")
		case c.KeepGitDir != nil:
			return errors.New("ADD --keep-git-dir is not supported")
		case c.Checksum != "":
			return errors.New("ADD --checksum is not supported")
		case c.Unpack != nil:
			return errors.New("ADD --unpack is not supported")
		case len(c.ExcludePatterns) > 0:
			return errors.New("ADD --exclude is not supported")
		}
	case *instructions.StopSignalCommand:
		if !strings.Contains(c.Signal, "$") {
			return checkStopSignal(c.Signal)
		}
	case *instructions.CmdCommand:
		if len(c.Files) > 0 {
			return errors.New("CMD with a heredoc is not supported")
		}
	case *instructions.EntrypointCommand:
		if len(c.Files) > 0 {
			return errors.New("ENTRYPOINT with a heredoc is not supported")
		}
	}
	return nil
}

// checkStopSignal refuses a stop signal that no container could be
// created with: the container service reads it with the same
// signal.Parse, so an image that builds is an image that runs.
func checkStopSignal(sig string) error {
	if sig == "" {
		return withKind(errors.New("STOPSIGNAL: empty signal"), errdefs.ErrInvalidArgument)
	}
	if _, err := signal.Parse(sig); err != nil {
		return withKind(fmt.Errorf("STOPSIGNAL %s: not a signal (use a name such as SIGTERM or TERM, a number from 1 to %d, or SIGRTMIN+n)", sig, signal.RTMax), errdefs.ErrInvalidArgument)
	}
	return nil
}

// checkChmod checks a --chmod value that has no variables in it: only
// octal modes are supported.
func checkChmod(kind, chmod string) error {
	if chmod == "" || strings.Contains(chmod, "$") {
		return nil
	}
	if n, err := strconv.ParseUint(chmod, 8, 32); err != nil || n > 0o7777 {
		return fmt.Errorf("%s --chmod=%s: not an octal mode", kind, chmod)
	}
	return nil
}

// locationLine returns the first line of buildkit's location in err, or def.
func locationLine(err error, def int) int {
	var le *parser.LocationError
	if errors.As(err, &le) {
		for _, ranges := range le.Locations {
			if len(ranges) > 0 && ranges[0].Start.Line > 0 {
				return ranges[0].Start.Line
			}
		}
	}
	return def
}

// commandLine returns the first line of an instruction in the Dockerfile.
func commandLine(cmd instructions.Command) int {
	loc := cmd.Location()
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

// stageLine returns the line of a stage's FROM.
func stageLine(s *instructions.Stage) int {
	if len(s.Location) == 0 {
		return 0
	}
	return s.Location[0].Start.Line
}

// stageIndex returns the index of the stage named name (case-insensitive)
// among the first n stages, or -1.
func (df *dockerfile) stageIndex(name string, n int) int {
	i := slices.IndexFunc(df.stages[:n], func(s instructions.Stage) bool {
		return s.Name != "" && strings.EqualFold(s.Name, name)
	})
	return i
}
