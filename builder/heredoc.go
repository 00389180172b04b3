package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// heredocScriptDir is where a RUN heredoc that starts with #! is put, as
// an executable file named after its delimiter, read-only (BuildKit's
// place for it).
const heredocScriptDir = "/dev/pipes"

// heredocScript is a RUN heredoc run as a file rather than by the shell.
type heredocScript struct {
	name string
	data []byte
}

// heredocArgv returns the command line of a shell-form RUN with heredocs
// (c.Files), with BuildKit's meaning:
//   - `RUN <<EOF` alone: the document is the script; one that starts
//     with #! is written to /dev/pipes/EOF and executed (its interpreter
//     runs it), any other is given to the shell as `SHELL... <document>`;
//   - any other line (`RUN python3 <<EOF`, several heredocs, `<<-EOF`,
//     `<<'EOF'`): the line and its documents are given back to the shell
//     as one script, so that the shell feeds them to the command's stdin
//     and expands them, strips tabs or not, as a shell does.
//
// The exec form cannot take a heredoc (there is no shell to read it).
func heredocArgv(shellArgv []string, c *instructions.RunCommand) ([]string, *heredocScript, error) {
	if !c.PrependShell || len(c.CmdLine) != 1 {
		return nil, nil, errors.New("RUN: a heredoc needs the shell form (RUN <<EOF or RUN command <<EOF), not the JSON form")
	}
	line := c.CmdLine[0]
	if doc := parser.MustParseHeredoc(line); doc != nil && len(c.Files) == 1 {
		data := c.Files[0].Data
		if c.Files[0].Chomp {
			data = parser.ChompHeredocContent(data)
		}
		if strings.HasPrefix(data, "#!") {
			name := c.Files[0].Name
			return []string{path.Join(heredocScriptDir, name)}, &heredocScript{name: name, data: []byte(data)}, nil
		}
		return append(append([]string(nil), shellArgv...), data), nil, nil
	}
	var b strings.Builder
	b.WriteString(line)
	for _, f := range c.Files {
		b.WriteByte('\n')
		b.WriteString(f.Data)
		b.WriteString(f.Name)
	}
	return append(append([]string(nil), shellArgv...), b.String()), nil, nil
}

// heredocContents is the COPY heredocs' documents, expanded where their
// delimiter was not quoted.
type heredocContents []instructions.SourceContent

// expandHeredocs expands the documents of a COPY or ADD whose delimiter
// was not quoted, as BuildKit does: variables only, quotes kept as they
// are (a document is file content, not a word).
func expandHeredocs(docs []instructions.SourceContent, escape rune, env shell.EnvGetter) (heredocContents, error) {
	out := make(heredocContents, len(docs))
	lex := shell.NewLex(escape)
	lex.SkipProcessQuotes = true
	for i, d := range docs {
		out[i] = d
		if !d.Expand {
			continue
		}
		data, _, err := lex.ProcessWord(d.Data, env)
		if err != nil {
			return nil, err
		}
		out[i].Data = data
	}
	return out, nil
}

// digest returns a digest of the documents' names and contents, for the
// step's cache key.
func (h heredocContents) digest() string {
	if len(h) == 0 {
		return ""
	}
	sum := sha256.New()
	for _, d := range h {
		// Length-prefixed, so that names and contents cannot shift into
		// each other.
		for _, s := range []string{d.Path, d.Data} {
			var n [8]byte
			for i, l := 0, len(s); i < 8; i, l = i+1, l>>8 {
				n[i] = byte(l)
			}
			sum.Write(n[:])
			sum.Write([]byte(s))
		}
	}
	return "sha256:" + hex.EncodeToString(sum.Sum(nil))
}
