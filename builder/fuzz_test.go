package builder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// FuzzParseDockerfile parses arbitrary Dockerfiles, instruction decoding
// and the builder's own checks included (heredocs and RUN --mount too:
// every RUN that parses is turned into its command line and its mounts
// are checked again as dispatch does). It must never panic; a failure
// must be an *Error at a line of the file (1 to its line count + 1),
// tagged ErrInvalidArgument; a parsed file has at least one stage. Seeds:
// every testfiles/ and testfiles-negative/ Dockerfile, and
// testdata/fuzz/FuzzParseDockerfile.
func FuzzParseDockerfile(f *testing.F) {
	for _, pattern := range []string{"testfiles/*/Dockerfile", "testfiles-negative/*/Dockerfile"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		df, err := parseDockerfile("Dockerfile", strings.NewReader(string(b)))
		if err == nil {
			if len(df.stages) == 0 {
				t.Fatal("parsed without a stage")
			}
			fuzzRunExtras(t, df)
			return
		}
		var located *Error
		if !errors.As(err, &located) {
			t.Fatalf("error without a location: %v", err)
		}
		lines := strings.Count(string(b), "\n") + 1
		if located.File != "Dockerfile" || located.Line < 1 || located.Line > lines+1 {
			t.Fatalf("error at %s:%d in a file of %d lines: %v", located.File, located.Line, lines, err)
		}
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Fatalf("error is not ErrInvalidArgument: %v", err)
		}
	})
}

// fuzzRunExtras turns every RUN of a parsed Dockerfile into its command
// line and checks its mounts as dispatch does: neither may panic, and a
// mount that passed the parse-time check resolves to an absolute target
// that is not "/".
func fuzzRunExtras(t *testing.T, df *dockerfile) {
	for _, s := range df.stages {
		for _, cmd := range s.Commands {
			c, ok := cmd.(*instructions.RunCommand)
			if !ok {
				continue
			}
			if len(c.Files) > 0 {
				if _, _, err := heredocArgv(defaultShell(), c); err != nil {
					t.Fatalf("a RUN heredoc that parsed has no command line: %v", err)
				}
			}
			for _, m := range instructions.GetMounts(c) {
				rm, err := checkMount(m, "/w")
				if err != nil {
					t.Fatalf("a mount that parsed is refused at dispatch: %v", err)
				}
				if !strings.HasPrefix(rm.target, "/") || (rm.target == "/" && !strings.Contains(m.Target, "$")) {
					t.Fatalf("mount target %q from %q", rm.target, m.Target)
				}
			}
		}
	}
}
