package build

import (
	"strings"
	"testing"
)

func TestExplainSameInstruction(t *testing.T) {
	base := stepInputs{Instruction: "COPY app /app", Files: map[string]string{"app/a": "1", "app/b": "2"}}
	tests := []struct {
		name string
		now  stepInputs
		want string
	}{
		{"file changed", stepInputs{Instruction: base.Instruction, Files: map[string]string{"app/a": "1", "app/b": "3"}}, "file app/b changed"},
		{"file added", stepInputs{Instruction: base.Instruction, Files: map[string]string{"app/a": "1", "app/b": "2", "app/c": "4"}}, "file app/c added"},
		{"file removed", stepInputs{Instruction: base.Instruction, Files: map[string]string{"app/a": "1"}}, "file app/b removed"},
		{"several", stepInputs{Instruction: base.Instruction, Files: map[string]string{"app/a": "9", "app/c": "4"}}, "file app/a changed (and 2 more)"},
		{"arg", stepInputs{Instruction: base.Instruction, Files: base.Files, Args: map[string]string{"V": "2"}}, "build arg V changed"},
		{"stage", stepInputs{Instruction: base.Instruction, Files: base.Files, Source: "k2", SourceName: "stage builder"}, "stage builder was rebuilt"},
		{"image", stepInputs{Instruction: base.Instruction, Files: base.Files, Source: "id2", SourceName: "base image busybox"}, "base image busybox changed"},
		{"detail", stepInputs{Instruction: base.Instruction, Files: base.Files, Detail: "x"}, "command line changed"},
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
	base := stepInputs{Instruction: "RUN x", Args: map[string]string{"A": "1"}, Files: map[string]string{"f": "h"}, Source: "s", Detail: "d"}
	variants := []stepInputs{
		{Instruction: "RUN y", Args: base.Args, Files: base.Files, Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: map[string]string{"A": "2"}, Files: base.Files, Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, Files: map[string]string{"f": "i"}, Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, Files: map[string]string{"g": "h"}, Source: "s", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, Files: base.Files, Source: "t", Detail: "d"},
		{Instruction: "RUN x", Args: base.Args, Files: base.Files, Source: "s", Detail: "e"},
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
