package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestLazyVerbsMatchTheTree checks that every top-level verb of the whole
// tree is one verbCommand builds alone, in the same help group, and that
// the command built alone is the same as in the whole tree: same
// subcommands, flags and usage, all the way down.
func TestLazyVerbsMatchTheTree(t *testing.T) {
	full := (&cli{}).rootCommand()
	for _, cmd := range full.Commands() {
		if cmd.Hidden {
			continue
		}
		t.Run(cmd.Name(), func(t *testing.T) {
			c := &cli{}
			c.tree = c.planTree([]string{cmd.Name()})
			if c.tree.build == nil {
				t.Fatalf("verbCommand does not know %q: add it to verbCommand in lazyverbs.go", cmd.Name())
			}
			if c.tree.group != cmd.GroupID {
				t.Errorf("verbCommand puts %q in group %q, the whole tree in %q", cmd.Name(), c.tree.group, cmd.GroupID)
			}
			root := c.rootCommand()
			alone, _, err := root.Find([]string{cmd.Name()})
			if err != nil || alone == root {
				t.Fatalf("the tree built for %q has no such command (%v)", cmd.Name(), err)
			}
			if got, want := commandShape(alone), commandShape(cmd); got != want {
				t.Errorf("%q built alone differs from the whole tree's:\n--- alone\n%s\n--- whole tree\n%s", cmd.Name(), got, want)
			}
		})
	}
}

// TestLazyVerbsOnlyBuildTheVerb checks that a command line with a verb
// builds that command alone (and cobra's help and completion commands),
// and that the command lines that need more get the whole tree.
func TestLazyVerbsOnlyBuildTheVerb(t *testing.T) {
	full := len((&cli{}).rootCommand().Commands())
	for _, tc := range []struct {
		args []string
		want int // the root's children; -1: the whole tree
	}{
		{[]string{"run", "--rm", "busybox", "true"}, 1},
		{[]string{"-H", "unix:///x.sock", "ps", "-a"}, 1},
		{[]string{"--host=unix:///x.sock", "--tlscacert", "ca.pem", "image", "ls"}, 1},
		{[]string{"-Hunix:///x.sock", "container", "ls"}, 1},
		{[]string{"--version"}, 0},
		{[]string{"-H", "unix:///x.sock", "-v"}, 0},
		{[]string{"--version", "ps"}, -1},
		{[]string{"--help"}, -1},
		{[]string{"help", "run"}, -1},
		{[]string{"completion", "bash"}, -1},
		{[]string{"__complete", "r"}, -1},
		{[]string{"__gen-man", "/tmp/x"}, -1},
		{[]string{"--unknown", "run"}, -1},
		{[]string{"nosuchverb"}, -1},
		{[]string{"--", "run"}, -1},
		{nil, -1},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			c := &cli{}
			c.tree = c.planTree(tc.args)
			got := len(c.rootCommand().Commands())
			want := tc.want
			if want < 0 {
				want = full
			}
			if got != want {
				t.Errorf("%q builds %d top-level commands, want %d", tc.args, got, want)
			}
		})
	}
}

// TestLazyVerbsCommandLines runs command lines that take the short path
// and checks they behave as with the whole tree: the version, a usage
// error of the verb, and an unknown command (the whole tree).
func TestLazyVerbsCommandLines(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"--version"}, 0, "container-runtime version ", ""},
		{[]string{"-v"}, 0, "container-runtime version ", ""},
		{[]string{"run"}, 1, "", "'container-runtime run' requires at least 1 argument"},
		{[]string{"ps", "--bogus"}, 125, "", "unknown flag: --bogus"},
		{[]string{"nosuchverb"}, 1, "", "unknown command: container-runtime nosuchverb"},
		{[]string{"ps", "--help"}, 0, "container-runtime ps", ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCLI(t, nil, "", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("%q: %+v; want code %d, stdout with %q, stderr with %q", tc.args, r, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// commandShape describes cmd and its subcommands: path, usage with its
// flags, group, one block per command.
func commandShape(cmd *cobra.Command) string {
	var b strings.Builder
	var walk func(*cobra.Command)
	walk = func(cmd *cobra.Command) {
		b.WriteString(cmd.CommandPath() + " [" + cmd.GroupID + "]\n" + cmd.UsageString() + "\n")
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(cmd)
	return b.String()
}
