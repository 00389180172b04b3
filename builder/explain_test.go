package builder

import (
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
)

// filesInput fills the file inputs of a step reading files (path ->
// content), as hashSources would.
func filesInput(tb testing.TB, in stepInputs, files map[string]string) stepInputs {
	tb.Helper()
	paths := sortedKeys(files)
	slices.SortFunc(paths, comparePaths)
	l := newFileList()
	for _, p := range paths {
		if err := l.add(p, sha256.Sum256([]byte(files[p]))); err != nil {
			tb.Fatal(err)
		}
	}
	var err error
	if in.FilesDigest, in.FileList, err = l.finish(); err != nil {
		tb.Fatal(err)
	}
	return in
}

func TestExplainSameInstruction(t *testing.T) {
	base := filesInput(t, stepInputs{Instruction: "COPY app /app"}, map[string]string{"app/a": "1", "app/b": "2"})
	same := func(in stepInputs) stepInputs {
		in.Instruction, in.FilesDigest, in.FileList = base.Instruction, base.FilesDigest, base.FileList
		return in
	}
	files := func(m map[string]string) stepInputs {
		return filesInput(t, stepInputs{Instruction: base.Instruction}, m)
	}
	tests := []struct {
		name string
		now  stepInputs
		want string
	}{
		{"file changed", files(map[string]string{"app/a": "1", "app/b": "3"}), "file app/b changed"},
		{"file added", files(map[string]string{"app/a": "1", "app/b": "2", "app/c": "4"}), "file app/c added"},
		{"file removed", files(map[string]string{"app/a": "1"}), "file app/b removed"},
		{"several", files(map[string]string{"app/a": "9", "app/c": "4"}), "file app/a changed (and 2 more)"},
		{"no list", stepInputs{Instruction: base.Instruction, FilesDigest: "other"}, "source files changed"},
		{"arg", same(stepInputs{Args: map[string]string{"V": "2"}}), "build arg V changed"},
		{"stage", same(stepInputs{Source: "k2", SourceName: "stage builder"}), "stage builder was rebuilt"},
		{"image", same(stepInputs{Source: "id2", SourceName: "base image busybox"}), "base image busybox changed"},
		{"detail", same(stepInputs{Detail: "x"}), "command line changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := explainSameInstruction(base, tt.now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStepKeyDependsOnEveryInput(t *testing.T) {
	base := stepInputs{Instruction: "RUN x", Args: map[string]string{"A": "1"}, FilesDigest: "1:aa", Source: "s", Detail: "d"}
	variants := []stepInputs{
		{Instruction: "RUN y", Args: base.Args, FilesDigest: base.FilesDigest, Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: map[string]string{"A": "2"}, FilesDigest: base.FilesDigest, Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, FilesDigest: "1:ab", Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, FilesDigest: base.FilesDigest, Source: "t", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, FilesDigest: base.FilesDigest, Source: "s", Detail: "e"},
	}
	k := base.key("parent")
	if k != base.key("parent") {
		t.Fatal("the key is not deterministic")
	}
	if k == base.key("other") {
		t.Error("the key ignores the parent")
	}
	for i, v := range variants {
		if v.key("parent") == k {
			t.Errorf("variant %d has the same key", i)
		}
	}
}

func TestTailBufferKeepsLastLines(t *testing.T) {
	tb := newTailBuffer(1 << 10)
	for i := range 30 {
		tb.Write([]byte(strings.Repeat("x", i%3) + "line\n"))
	}
	if got := strings.Count(tb.lines(20), "\n"); got != 19 {
		t.Errorf("%d newlines in the last 20 lines", got)
	}
	small := newTailBuffer(8)
	small.Write([]byte("0123456789abcdef"))
	if got := small.lines(5); got != "89abcdef" {
		t.Errorf("bounded tail = %q", got)
	}
}

func TestArchivePath(t *testing.T) {
	tests := map[string]string{
		"a/b":       "a/b",
		"/etc/x":    "etc/x",
		"./a/./b/":  "a/b",
		"a/../b":    "b",
		"../x":      "",
		"a/../../x": "",
		"..":        "",
		".":         ".",
	}
	for in, want := range tests {
		got, err := archivePath(in)
		if want == "" {
			if err == nil {
				t.Errorf("archivePath(%q) = %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("archivePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
