package host

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestXtablesLike(t *testing.T) {
	ruleset := "table inet crt-e2e-1 {\n\tchain x {\n\t}\n}\n" +
		"table ip filter {\n\tchain INPUT {\n\t}\n}\n" +
		"table ip mine {\n\tcomment \"DOCKER-USER\"\n}\n"
	got := xtablesLike(ruleset)
	if strings.Contains(got, "crt-e2e-1") || !strings.Contains(got, "table ip filter") || !strings.Contains(got, "table ip mine") {
		t.Errorf("kept:\n%s\nwant filter and the table mentioning docker, not crt-e2e-1", got)
	}
}

func TestFirewallDiff(t *testing.T) {
	before := Firewall{"nft": "a", "iptables-save": "b"}
	if d := before.Diff(Firewall{"nft": "a", "iptables-save": "b"}); d != "" {
		t.Errorf("the same firewall differs: %s", d)
	}
	if d := before.Diff(Firewall{"nft": "a", "iptables-save": "c"}); !strings.Contains(d, "iptables-save output changed") {
		t.Errorf("a changed iptables-save: diff %q", d)
	}
}

func TestRemoveNew(t *testing.T) {
	dir := t.TempDir()
	old, made, busy := filepath.Join(dir, "old"), filepath.Join(dir, "made"), filepath.Join(dir, "busy")
	if err := os.Mkdir(old, 0o755); err != nil {
		t.Fatal(err)
	}
	before := Existed(old, made, busy)
	for _, d := range []string{made, busy} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(busy, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	RemoveNew(before)
	for p, want := range map[string]bool{old: true, made: false, busy: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", p, err == nil, want)
		}
	}
}

func TestPidRunningWith(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "pid")
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		name, content, mark string
		want                int
	}{
		{"ours", self, os.Args[0], os.Getpid()},
		{"another process's command line", self, "no-such-mark-" + self, 0},
		{"not a number", "x", os.Args[0], 0},
		{"init", "1", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(pidfile, []byte(tt.content+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := PidRunningWith(pidfile, tt.mark); got != tt.want {
				t.Errorf("PidRunningWith = %d, want %d", got, tt.want)
			}
		})
	}
	if got := PidRunningWith(filepath.Join(dir, "missing"), ""); got != 0 {
		t.Errorf("a missing pidfile gives %d, want 0", got)
	}
}

func TestRemoveDir(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	dir := filepath.Join(base, "work")
	for _, d := range []string{outside, filepath.Join(dir, "a", "b")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A link out of the directory is removed, not followed.
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := RemoveDir(dir, "run.json"); err != nil {
		t.Fatalf("RemoveDir: %v", err)
	}
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", dir, err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("the link's target went too: %v", err)
	}
	if err := RemoveDir(dir, "run.json"); err != nil {
		t.Errorf("RemoveDir of a directory that is gone: %v", err)
	}
}
