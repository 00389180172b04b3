package builder

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// TestLongLineReportsItsLine puts a line over 64 KiB at line 5: the error
// names Dockerfile:5 (buildkit alone says Dockerfile:1 or the line
// before), wherever in the file it is and whatever line ending it has.
func TestLongLineReportsItsLine(t *testing.T) {
	long := "RUN echo " + strings.Repeat("x", maxLineBytes)
	for name, tc := range map[string]struct {
		text string
		line int
	}{
		"line 5":              {"FROM busybox\n# a comment\n\nRUN true\n" + long + "\nRUN true\n", 5},
		"line 1":              {long + "\n", 1},
		"last line, no EOL":   {"FROM busybox\nRUN true\n" + long, 3},
		"CRLF":                {"FROM busybox\r\nRUN true\r\nRUN true\r\nRUN true\r\n" + long + "\r\n", 5},
		"in a continuation":   {"FROM busybox\nRUN a \\\n  b \\\n" + long + "\n", 4},
		"one byte over, EOL":  {"FROM busybox\n" + strings.Repeat("#", maxLineBytes+1) + "\n", 2},
		"one byte over, tail": {"FROM busybox\nRUN true\n" + strings.Repeat("#", maxLineBytes+1), 3},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseDockerfile("Dockerfile", strings.NewReader(tc.text))
			want := fmt.Sprintf("Dockerfile:%d: line longer than %d bytes", tc.line, maxLineBytes)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("got %v, want an error starting with %q", err, want)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("%v is not ErrInvalidArgument", err)
			}
		})
	}
}

// TestLongInstructions decides what parses: a physical line of up to
// maxLineBytes (64 KiB - 1) does, as in Docker; a 100 KiB RUN on one line
// is refused, as Docker refuses it, with its line; the same 100 KiB RUN
// written with line continuations parses whole.
func TestLongInstructions(t *testing.T) {
	at := func(n int) string { return "RUN echo " + strings.Repeat("y", n-len("RUN echo ")) }
	if _, err := parseDockerfile("Dockerfile", strings.NewReader("FROM busybox\n"+at(maxLineBytes)+"\n")); err != nil {
		t.Errorf("a line of exactly %d bytes: %v", maxLineBytes, err)
	}
	if _, err := parseDockerfile("Dockerfile", strings.NewReader("FROM busybox\r\n"+at(maxLineBytes-1)+"\r\n")); err != nil {
		t.Errorf("a CRLF line of %d bytes with its CR: %v", maxLineBytes, err)
	}

	const size = 100 << 10
	if _, err := parseDockerfile("Dockerfile", strings.NewReader("FROM busybox\n"+at(size)+"\n")); err == nil || !strings.HasPrefix(err.Error(), "Dockerfile:2: line longer") {
		t.Errorf("a 100 KiB RUN on one line: got %v, want Dockerfile:2: line longer ...", err)
	}

	var b strings.Builder
	b.WriteString("FROM busybox\nRUN echo")
	words := 0
	for b.Len() < size {
		b.WriteString(" " + strings.Repeat("z", 1000) + " \\\n")
		words++
	}
	b.WriteString(" end\nCMD [\"sh\"]\n")
	df, err := parseDockerfile("Dockerfile", strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("a 100 KiB RUN with continuations: %v", err)
	}
	run, ok := df.stages[0].Commands[0].(*instructions.RunCommand)
	if !ok {
		t.Fatalf("first command is %T, want RUN", df.stages[0].Commands[0])
	}
	cmd := strings.Join(run.CmdLine, " ")
	if got := strings.Count(cmd, strings.Repeat("z", 1000)); got != words || !strings.HasSuffix(cmd, " end") {
		t.Errorf("the RUN holds %d of %d words (ends %q)", got, words, cmd[max(0, len(cmd)-20):])
	}
	if line := commandLine(df.stages[0].Commands[1]); line != words+3 {
		t.Errorf("CMD after the long RUN is at line %d, want %d", line, words+3)
	}
}

// TestStopSignal accepts what Docker (and the container service, which
// reads the image's stop signal at every create) accepts, and refuses the
// rest at parse time with the file and line; a STOPSIGNAL with a variable
// is checked after expansion (see TestBuildStopSignalFromArg).
func TestStopSignal(t *testing.T) {
	for _, sig := range []string{"SIGTERM", "TERM", "15", "SIGRTMIN+3", "sigkill", "RTMAX-2", "SIGRTMIN", "SIGUSR1", "64", "$SIG", "${SIG:-TERM}"} {
		if _, err := parseDockerfile("Dockerfile", strings.NewReader("FROM busybox\nSTOPSIGNAL "+sig+"\n")); err != nil {
			t.Errorf("STOPSIGNAL %s: %v", sig, err)
		}
	}
	for _, sig := range []string{"SIGNOPE", "0", "65", "-1", "SIGRTMIN+40", "RTMAX-31", "SIG", "9x"} {
		_, err := parseDockerfile("Dockerfile", strings.NewReader("FROM busybox\nRUN true\nSTOPSIGNAL "+sig+"\n"))
		want := "Dockerfile:3: STOPSIGNAL " + sig + ": not a signal"
		if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("STOPSIGNAL %s: got %v, want %q... (invalid argument)", sig, err, want)
		}
	}
}
