package builder

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/image"
)

// The parser directives are the `# key=value` comment lines at the top of a
// Dockerfile (buildkit's rule: they must precede any instruction, other
// comment or blank line; the first line that is not one ends them). Besides
// buildkit's own (syntax, escape, check), this builder reads
//
//	# entrypoint=seed | docker
//
// which chooses the meaning of the file's ENTRYPOINT lines (see
// image.EntrypointSeed), overriding the one the build form gave.
const directiveEntrypoint = "entrypoint"

// directiveLine matches a directive after its "#", as buildkit's
// DirectiveParser does.
var directiveLine = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

// buildkitDirectives are the directives buildkit's parser knows; it stops
// reading directives at any other, so ours must come after them.
var buildkitDirectives = map[string]bool{"syntax": true, "escape": true, "check": true}

// readDirectives reads the directives at the top of r and returns the
// entrypoint meaning one names ("" without the directive), and a reader
// that gives all of r again from the start for the parser.
func readDirectives(path string, r io.Reader) (meaning string, all io.Reader, err error) {
	br := bufio.NewReaderSize(r, maxLineBytes+1)
	var head bytes.Buffer
	all = io.MultiReader(&head, br)
	seen := map[string]bool{}
	ourLine := 0
	for line := 1; ; line++ {
		raw, rerr := br.ReadSlice('\n')
		head.Write(raw)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			// Too long or unreadable: the parser reports it.
			return meaning, all, nil
		}
		text := strings.TrimRight(string(raw), "\r\n")
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		rest, ok := strings.CutPrefix(text, "#")
		m := directiveLine.FindStringSubmatch(strings.TrimLeft(rest, " \t"))
		if !ok || m == nil {
			return meaning, all, nil
		}
		key, value := strings.ToLower(m[1]), m[2]
		switch {
		case key == directiveEntrypoint && seen[key]:
			return "", nil, errorAt(path, line, errdefs.ErrInvalidArgument, "only one entrypoint parser directive can be used")
		case key == directiveEntrypoint:
			switch v := strings.ToLower(value); v {
			case image.EntrypointSeed, image.EntrypointDocker:
				meaning, ourLine = v, line
			default:
				return "", nil, errorAt(path, line, errdefs.ErrInvalidArgument,
					"entrypoint directive %q: must be %q (ENTRYPOINT adds a startup command) or %q (ENTRYPOINT is the process, as in Docker)",
					value, image.EntrypointSeed, image.EntrypointDocker)
			}
		case buildkitDirectives[key] && ourLine != 0:
			// buildkit would take "# escape=" below ours for a comment
			// and silently parse the file with the default escape.
			return "", nil, errorAt(path, line, errdefs.ErrInvalidArgument,
				"the %s directive must come before the entrypoint directive (line %d): directives after one the parser does not know are read as comments", key, ourLine)
		case !buildkitDirectives[key]:
			return meaning, all, nil
		}
		seen[key] = true
		if rerr != nil {
			return meaning, all, nil
		}
	}
}

// entrypointMeaning returns the meaning of the Dockerfile's ENTRYPOINT
// lines: the directive's, else the one asked for, else the seed's (the
// builder's historic meaning; Docker's build form asks for Docker's).
func entrypointMeaning(directive, asked string) (string, error) {
	switch {
	case directive != "":
		return directive, nil
	case asked == "":
		return image.EntrypointSeed, nil
	case asked == image.EntrypointSeed || asked == image.EntrypointDocker:
		return asked, nil
	}
	return "", fmt.Errorf("building: entrypoint meaning %q: must be %q or %q: %w",
		asked, image.EntrypointSeed, image.EntrypointDocker, errdefs.ErrInvalidArgument)
}
