package builder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// FuzzParseDockerfile parses arbitrary Dockerfiles, instruction decoding
// and the builder's own checks included. It must never panic; a failure
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
