package command

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"exit 0", []string{"-c", "echo out; echo err >&2"}, 0, "out\n", "err\n"},
		{"exit code", []string{"-c", "exit 3"}, 3, "", ""},
		{"killed", []string{"-c", "kill -9 $$"}, -1, "", "signal: killed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run(t, "sh", tt.args...)
			if r.Code != tt.code || r.Stdout != tt.stdout || !strings.Contains(r.Stderr, tt.stderr) {
				t.Errorf("got %v; want exit %d, stdout %q, stderr containing %q", r, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}
