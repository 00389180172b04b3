package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestParseRollup(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    footprint
		wantErr bool
	}{
		{
			name: "kernel layout",
			in: "55d0c0a4a000-7ffc7a5f9000 ---p 00000000 00:00 0                          [rollup]\n" +
				"Rss:                1956 kB\nPss:                 302 kB\nPss_Dirty:           132 kB\nPss_Anon:            132 kB\n",
			want: footprint{RSS: 1956, PSS: 302, Procs: 1},
		},
		{name: "no Pss", in: "Rss: 10 kB\n", wantErr: true},
		{name: "not a number", in: "Rss: x kB\nPss: 1 kB\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRollup(bufio.NewScanner(strings.NewReader(tt.in)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		comm     string
		ppid     int
		wantOkay bool
	}{
		{"plain", "123 (sleep) S 45 123 45 0 -1", "sleep", 45, true},
		{"parentheses and spaces in the name", "9 (a) b (c)) R 1 9 9 0", "a) b (c)", 1, true},
		{"truncated", "9 (x)", "", 0, false},
		{"garbage", "nonsense", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comm, ppid, ok := parseStat(tt.in)
			if ok != tt.wantOkay || comm != tt.comm || ppid != tt.ppid {
				t.Errorf("parseStat(%q) = %q, %d, %v; want %q, %d, %v", tt.in, comm, ppid, ok, tt.comm, tt.ppid, tt.wantOkay)
			}
		})
	}
}

func TestFindProcsAndMemoryOfSelf(t *testing.T) {
	self := os.Getpid()
	pids := findProcs(func(p procInfo) bool { return p.pid == self && p.ppid == os.Getppid() && len(p.argv) > 0 })
	if len(pids) != 1 || pids[0] != self {
		t.Fatalf("findProcs for this process = %v, want [%d]", pids, self)
	}
	fp, err := memoryOf(self)
	if err != nil {
		t.Fatal(err)
	}
	if fp.RSS <= 0 || fp.PSS <= 0 || fp.PSS > fp.RSS {
		t.Errorf("memoryOf(self) = %+v: want 0 < PSS <= RSS", fp)
	}
	if _, err := memoryOfAll([]int{self, -1}); err == nil {
		t.Error("memoryOfAll with a missing process: no error")
	}
}
