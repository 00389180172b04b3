package builder

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

var update = flag.Bool("update", false, "rewrite the golden result files of testfiles/")

// TestParseGolden parses every testfiles/<case>/Dockerfile and compares
// the parsed instructions with testfiles/<case>/result (buildkit's layout;
// run with -update to rewrite them).
func TestParseGolden(t *testing.T) {
	cases, err := filepath.Glob("testfiles/*/Dockerfile")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range cases {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			df := parseTestfile(t, file)
			got := dumpDockerfile(df)
			resultFile := filepath.Join(dir, "result")
			if *update {
				if err := os.WriteFile(resultFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(resultFile)
			if err != nil {
				t.Fatalf("reading result (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("parsed %s:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

// TestParseNegative checks that every testfiles-negative/<case>/Dockerfile
// fails to parse, with an error that names the file and line, carries
// ErrInvalidArgument and reads as testfiles-negative/<case>/error.
func TestParseNegative(t *testing.T) {
	cases, err := filepath.Glob("testfiles-negative/*/Dockerfile")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, file := range cases {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = parseDockerfile("Dockerfile", f)
			if err == nil {
				t.Fatalf("%s parsed without error", file)
			}
			var located *Error
			if !errors.As(err, &located) || located.Line <= 0 || located.File != "Dockerfile" {
				t.Errorf("error %q carries no Dockerfile:line location", err)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error %q is not ErrInvalidArgument", err)
			}
			want, rerr := os.ReadFile(filepath.Join(dir, "error"))
			if rerr != nil {
				t.Fatalf("reading the expected error: %v", rerr)
			}
			if w := strings.TrimSpace(string(want)); !strings.HasPrefix(err.Error(), w) {
				t.Errorf("error:\n%s\nwant it to start with:\n%s", err, w)
			}
		})
	}
}

// parseTestfile parses a Dockerfile of testfiles/.
func parseTestfile(t testing.TB, file string) *dockerfile {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	df, err := parseDockerfile("Dockerfile", f)
	if err != nil {
		t.Fatalf("parsing %s: %v", file, err)
	}
	return df
}

// dumpDockerfile renders the parsed Dockerfile, one instruction a line
// with its line number, for the golden files.
func dumpDockerfile(df *dockerfile) string {
	var b strings.Builder
	if df.escape != '\\' {
		fmt.Fprintf(&b, "escape %q\n", df.escape)
	}
	for i := range df.metaArgs {
		fmt.Fprintf(&b, "L%d %s\n", commandLine(&df.metaArgs[i]), dumpCommand(&df.metaArgs[i]))
	}
	for i, s := range df.stages {
		fmt.Fprintf(&b, "L%d stage %d name=%q FROM %q\n", stageLine(&s), i, s.Name, s.BaseName)
		for _, c := range s.Commands {
			fmt.Fprintf(&b, "  L%d %s\n", commandLine(c), dumpCommand(c))
		}
	}
	return b.String()
}

// dumpCommand renders one instruction.
func dumpCommand(cmd instructions.Command) string {
	cmdline := func(c instructions.ShellDependantCmdLine) string {
		form := "exec"
		if c.PrependShell {
			form = "shell"
		}
		return fmt.Sprintf("%s %q", form, c.CmdLine)
	}
	kvs := func(pairs instructions.KeyValuePairs) string {
		var parts []string
		for _, kv := range pairs {
			parts = append(parts, fmt.Sprintf("%s=%q", kv.Key, kv.Value))
		}
		return strings.Join(parts, " ")
	}
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		var parts []string
		for _, kv := range c.Args {
			if kv.Value == nil {
				parts = append(parts, kv.Key)
			} else {
				parts = append(parts, fmt.Sprintf("%s=%q", kv.Key, *kv.Value))
			}
		}
		return "ARG " + strings.Join(parts, " ")
	case *instructions.EnvCommand:
		return "ENV " + kvs(c.Env)
	case *instructions.LabelCommand:
		return "LABEL " + kvs(c.Labels)
	case *instructions.MaintainerCommand:
		return fmt.Sprintf("MAINTAINER %q", c.Maintainer)
	case *instructions.CopyCommand:
		return fmt.Sprintf("COPY from=%q chown=%q chmod=%q src=%q dest=%q", c.From, c.Chown, c.Chmod, c.SourcePaths, c.DestPath) + dumpDocs(c.SourceContents)
	case *instructions.AddCommand:
		return fmt.Sprintf("ADD chown=%q chmod=%q src=%q dest=%q", c.Chown, c.Chmod, c.SourcePaths, c.DestPath)
	case *instructions.RunCommand:
		return fmt.Sprintf("RUN network=%s %s", instructions.GetNetwork(c), cmdline(c.ShellDependantCmdLine)) + dumpRunExtras(c)
	case *instructions.CmdCommand:
		return "CMD " + cmdline(c.ShellDependantCmdLine)
	case *instructions.EntrypointCommand:
		return "ENTRYPOINT " + cmdline(c.ShellDependantCmdLine)
	case *instructions.WorkdirCommand:
		return fmt.Sprintf("WORKDIR %q", c.Path)
	case *instructions.UserCommand:
		return fmt.Sprintf("USER %q", c.User)
	case *instructions.ExposeCommand:
		return fmt.Sprintf("EXPOSE %q", c.Ports)
	case *instructions.VolumeCommand:
		return fmt.Sprintf("VOLUME %q", c.Volumes)
	case *instructions.StopSignalCommand:
		return fmt.Sprintf("STOPSIGNAL %q", c.Signal)
	case *instructions.ShellCommand:
		return fmt.Sprintf("SHELL %q", c.Shell)
	}
	return fmt.Sprintf("%T", cmd)
}
