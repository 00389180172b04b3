package conformance

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
)

// result is what one validation program reported.
type result struct {
	// passed and failed count "ok" and "not ok" test points ("ok ... #
	// SKIP" counts as passed: the program chose not to check).
	passed, failed int
	// failures are the descriptions of the "not ok" lines.
	failures []string
	// errorDiag is true when a YAML diagnostic has an "error" key.
	errorDiag bool
	// exitCode is the program's exit code (-1 when it was killed).
	exitCode int
}

// parseTAP reads the TAP 13 output of a validation program.
func parseTAP(out string, exitCode int) result {
	r := result{exitCode: exitCode}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ok "):
			r.passed++
		case strings.HasPrefix(line, "not ok "):
			r.failed++
			r.failures = append(r.failures, description(line))
		case strings.HasPrefix(strings.TrimSpace(line), `"error":`):
			r.errorDiag = true
		}
	}
	return r
}

// description is the text of a "not ok N - text" line.
func description(line string) string {
	rest := strings.TrimPrefix(line, "not ok ")
	if _, text, ok := strings.Cut(rest, " - "); ok {
		return text
	}
	return rest
}

// problems lists why the program failed, one line each: every "not ok"
// description, the exit code, and an error diagnostic of a program that
// planned no test point. Nil means it passed.
func (r result) problems() []string {
	out := append([]string(nil), r.failures...)
	if r.exitCode != 0 {
		out = append(out, "exit status "+strconv.Itoa(r.exitCode))
	}
	if r.passed == 0 && r.failed == 0 && r.errorDiag {
		out = append(out, "error diagnostic")
	}
	return out
}

func TestParseTAP(t *testing.T) {
	tests := []struct {
		name string
		out  string
		code int
		want []string
	}{
		{"all ok", "TAP version 13\nok 1 - a\nok 2 # SKIP b\n1..2\n", 0, nil},
		{"not ok", "ok 1 - a\nnot ok 2 - devices c 10:229 rwm is set correctly\n  ---\n  {\n    \"error\": \"x\"\n  }\n", 0,
			[]string{"devices c 10:229 rwm is set correctly"}},
		{"exit status", "failed to create the container\n", 1, []string{"exit status 1"}},
		{"error without test points", "TAP version 13\n  ---\n  {\n    \"error\": \"if any poststop hook fails\"\n  }\n  ...\n1..0\n", 0,
			[]string{"error diagnostic"}},
		{"no test points, no error", "TAP version 13\n1..0\n", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseTAP(tt.out, tt.code).problems()
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("problems = %q, want %q", got, tt.want)
			}
		})
	}
}
