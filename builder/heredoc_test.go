package builder

import (
	"fmt"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// dumpDocs renders COPY/ADD heredoc sources for the golden files.
func dumpDocs(docs []instructions.SourceContent) string {
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&b, " doc(%s expand=%v)=%q", d.Path, d.Expand, d.Data)
	}
	return b.String()
}

// dumpRunExtras renders a RUN's heredocs and mounts (as written) for the
// golden files.
func dumpRunExtras(c *instructions.RunCommand) string {
	var b strings.Builder
	for _, f := range c.Files {
		fmt.Fprintf(&b, " file(%s chomp=%v)=%q", f.Name, f.Chomp, f.Data)
	}
	for _, m := range instructions.GetMounts(c) {
		rm, err := checkMount(m, "/")
		if err != nil {
			fmt.Fprintf(&b, " mount-error=%v", err)
			continue
		}
		fmt.Fprintf(&b, " mount(%s)", rm.describe())
	}
	return b.String()
}

// TestHeredocArgv checks the command line a RUN heredoc becomes, as
// BuildKit makes it.
func TestHeredocArgv(t *testing.T) {
	sh := []string{"/bin/sh", "-c"}
	tests := []struct {
		name, dockerfile string
		want             []string
		script           string
	}{
		{"script to the shell", "FROM s\nRUN <<EOF\necho a\necho b\nEOF\n", []string{"/bin/sh", "-c", "echo a\necho b\n"}, ""},
		{"chomped", "FROM s\nRUN <<-EOF\n\techo a\n\tEOF\n", []string{"/bin/sh", "-c", "echo a\n"}, ""},
		{"shebang runs as a file", "FROM s\nRUN <<EOF\n#!/bin/busybox sh\necho a\nEOF\n", []string{"/dev/pipes/EOF"}, "#!/bin/busybox sh\necho a\n"},
		{"stdin of a command", "FROM s\nRUN cat <<EOF\n$HOME\nEOF\n", []string{"/bin/sh", "-c", "cat <<EOF\n$HOME\nEOF"}, ""},
		{"quoted delimiter kept for the shell", "FROM s\nRUN cat <<'EOF'\n$HOME\nEOF\n", []string{"/bin/sh", "-c", "cat <<'EOF'\n$HOME\nEOF"}, ""},
		{"two heredocs", "FROM s\nRUN cat <<A && cat <<B\na\nA\nb\nB\n", []string{"/bin/sh", "-c", "cat <<A && cat <<B\na\nA\nb\nB"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			df, err := parseDockerfile("Dockerfile", strings.NewReader(tt.dockerfile))
			if err != nil {
				t.Fatal(err)
			}
			c := df.stages[0].Commands[0].(*instructions.RunCommand)
			argv, script, err := heredocArgv(sh, c)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%q", argv) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("argv = %q, want %q", argv, tt.want)
			}
			switch {
			case tt.script == "" && script != nil:
				t.Errorf("a script file %q, want none", script.data)
			case tt.script != "" && (script == nil || string(script.data) != tt.script):
				t.Errorf("script = %+v, want %q", script, tt.script)
			}
		})
	}
}

// TestCheckMount checks the --mount values the builder accepts, their
// defaults, and the ones it refuses.
func TestCheckMount(t *testing.T) {
	tests := []struct {
		mount, want, err string
	}{
		{"type=cache,target=/root/.cache", "type=cache,target=/root/.cache,id=/root/.cache,sharing=shared,mode=755,uid=0,gid=0", ""},
		{"type=cache,target=rel,id=x,sharing=locked,mode=0700,uid=1,gid=2", "type=cache,target=/work/rel,id=x,sharing=locked,mode=700,uid=1,gid=2", ""},
		{"target=/src", "type=bind,target=/src,source=.", ""},
		{"type=bind,source=a/b,target=/src,from=build,rw", "type=bind,target=/src,source=a/b,from=build,rw", ""},
		{"type=tmpfs,target=/t,size=1m", "type=tmpfs,target=/t,size=1048576", ""},
		{"type=secret,id=tok", "", "type=secret is not supported"},
		{"type=ssh", "", "type=ssh is not supported"},
		{"type=cache", "", "a target is required"},
		{"type=tmpfs,target=/", "", "cannot mount over the root"},
		{"type=cache,target=/c,from=x", "", "from= and source= are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.mount, func(t *testing.T) {
			df, err := parseDockerfile("Dockerfile", strings.NewReader("FROM s\nRUN --mount="+tt.mount+" true\n"))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "Dockerfile:2:") {
					t.Fatalf("error %v, want one at Dockerfile:2 containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := df.stages[0].Commands[0].(*instructions.RunCommand)
			ms := instructions.GetMounts(c)
			if len(ms) != 1 {
				t.Fatalf("%d mounts", len(ms))
			}
			rm, err := checkMount(ms[0], "/work")
			if err != nil {
				t.Fatal(err)
			}
			if got := rm.describe(); got != tt.want {
				t.Errorf("mount = %s\nwant      %s", got, tt.want)
			}
		})
	}
}
