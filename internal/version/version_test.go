package version

import (
	"regexp"
	"runtime/debug"
	"testing"
)

func TestVersionText(t *testing.T) {
	// Three lines, runc's shape: go-runc's Version() splits on them.
	re := regexp.MustCompile(`^prog version \S+\ncommit: \S+\nspec: 1\.3\.0\n$`)
	if got := Text("prog"); !re.MatchString(got) {
		t.Fatalf("Text = %q, want runc's three lines", got)
	}
}

func TestVersionRevisionLinkTime(t *testing.T) {
	old := Commit
	t.Cleanup(func() { Commit = old })
	Commit = "0123456789abcdef0123456789abcdef01234567"
	if got := Revision(); got != Commit {
		t.Fatalf("Revision = %q, want the link-time commit %q", got, Commit)
	}
}

func TestVersionRevisionBuildInfo(t *testing.T) {
	const rev = "89abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"none", nil, "unknown"},
		{"clean", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}, rev},
		{"dirty", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}, rev + "-dirty"},
		{"modified without revision", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := revisionOf(tc.settings); got != tc.want {
				t.Fatalf("revisionOf = %q, want %q", got, tc.want)
			}
		})
	}
}
