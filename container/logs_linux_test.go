package container

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

func TestLogsFollowUntilExit(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := f.svc.Create(ctx, api.ContainerCreate{Image: "busybox", Cmd: []string{"sh", "-c", "for i in 1 2 3; do echo out $i; echo err $i >&2; sleep 0.1; done"}})
	if err != nil {
		t.Fatal(err)
	}
	var w bufFrames
	done := make(chan error, 1)
	// Following a created container waits for its start.
	go func() { done <- f.svc.Logs(ctx, c.ID, LogsOptions{Follow: true, Stdout: true, Tail: -1}, &w) }()
	if err := f.svc.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Logs: %v", err)
	}
	if got := w.String(); got != "out 1\nout 2\nout 3\n" {
		t.Errorf("followed stdout %q", got)
	}
	tests := []struct {
		name string
		opts LogsOptions
		want string
	}{
		{"tail 2", LogsOptions{Tail: 2}, "err 3\nout 3\n|out 3\nerr 3\n"},
		{"stderr only", LogsOptions{Stderr: true, Tail: -1}, "err 1\nerr 2\nerr 3\n"},
		{"since the future", LogsOptions{Tail: -1, Since: time.Now().Add(time.Hour)}, ""},
		{"until the past", LogsOptions{Tail: -1, Until: time.Now().Add(-time.Hour)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w bufFrames
			if err := f.svc.Logs(ctx, c.ID, tt.opts, &w); err != nil {
				t.Fatal(err)
			}
			// Two lines written back to back may be logged in either
			// order across the streams.
			if got := w.String(); !strings.Contains("|"+tt.want+"|", "|"+got+"|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	var ts bufFrames
	if err := f.svc.Logs(ctx, c.ID, LogsOptions{Tail: 1, Timestamps: true}, &ts); err != nil {
		t.Fatal(err)
	}
	stamp, line, _ := strings.Cut(ts.String(), " ")
	if _, err := time.Parse(time.RFC3339Nano, stamp); err != nil || (line != "out 3\n" && line != "err 3\n") {
		t.Errorf("timestamped line %q", ts.String())
	}
}
