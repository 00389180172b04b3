package builder

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestReadDirectives(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    string
		wantErr string // part of the error; "" for none
	}{
		{"none", "FROM busybox\n", "", ""},
		{"seed", "# entrypoint=seed\nFROM busybox\n", "seed", ""},
		{"docker, spaces and case", "#ENTRYPOINT = Docker\r\nFROM busybox\n", "docker", ""},
		{"after syntax and escape", "# syntax=docker/dockerfile:1\n# escape=`\n# entrypoint=docker\nFROM busybox\n", "docker", ""},
		{"after a comment it is a comment", "# hello\n# entrypoint=docker\nFROM busybox\n", "", ""},
		{"after a blank line it is a comment", "\n# entrypoint=docker\nFROM busybox\n", "", ""},
		{"after an unknown directive it is a comment", "# foo=bar\n# entrypoint=docker\nFROM busybox\n", "", ""},
		{"after an instruction it is a comment", "FROM busybox\n# entrypoint=docker\n", "", ""},
		{"byte order mark", "\uFEFF# entrypoint=docker\nFROM busybox\n", "docker", ""},
		{"only the directive", "# entrypoint=docker", "docker", ""},
		{"bad value", "# entrypoint=oci\nFROM busybox\n", "", `Dockerfile:1: entrypoint directive "oci"`},
		{"twice", "# entrypoint=seed\n# entrypoint=docker\nFROM busybox\n", "", "Dockerfile:2: only one entrypoint"},
		{"escape after it", "# entrypoint=docker\n# escape=`\nFROM busybox\n", "", "Dockerfile:2: the escape directive must come before"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, all, err := readDirectives("Dockerfile", strings.NewReader(c.in))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.Is(err, errdefs.ErrInvalidArgument) {
					t.Fatalf("err %v, want an invalid-argument error with %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("meaning %q, want %q", got, c.want)
			}
			// The parser must still see the whole file.
			if b, _ := io.ReadAll(all); string(b) != c.in {
				t.Errorf("the reader gives %q, want %q", b, c.in)
			}
		})
	}
}

func TestParseDockerfileKeepsEscapeWithDirective(t *testing.T) {
	df, err := parseDockerfile("Dockerfile", strings.NewReader("# escape=`\n# entrypoint=docker\nFROM busybox\nRUN echo a `\n  b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if df.escape != '`' || df.entrypoint != "docker" {
		t.Errorf("escape %q entrypoint %q, want ` and docker", df.escape, df.entrypoint)
	}
}
