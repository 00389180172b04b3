package healthexec

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseReply(t *testing.T) {
	long := "result 1 2 0 0 1\n" + strings.Repeat("x", MaxOutput+1)
	tests := []struct {
		name  string
		in    string
		want  Result
		check string // the CheckError's message
		bad   bool
	}{
		{name: "success", in: "result 1000000000 1500000000 0 0 0\nok\n",
			want: Result{Start: time.Unix(1, 0).UTC(), End: time.Unix(1, 5e8).UTC(), Output: []byte("ok\n")}},
		{name: "raw bytes", in: "result 1 2 3 0 1\n\x00\xff\nresult 9 9 9 1 1\n",
			want: Result{Start: time.Unix(0, 1).UTC(), End: time.Unix(0, 2).UTC(), ExitCode: 3, Truncated: true,
				Output: []byte("\x00\xff\nresult 9 9 9 1 1\n")}},
		{name: "timed out", in: "result 1 2 -1 1 0\n",
			want: Result{Start: time.Unix(0, 1).UTC(), End: time.Unix(0, 2).UTC(), ExitCode: -1, TimedOut: true, Output: []byte{}}},
		{name: "stage error", in: `error {"type":"error","message":"exec: \"x\": not found"}` + "\n",
			check: `exec: "x": not found`},
		{name: "executor error", in: "error health executor: fork: no memory", check: "health executor: fork: no memory"},
		{name: "odd stage line", in: `error {"type":"pid"}`, check: `exec stage: "{\"type\":\"pid\"}"`},
		{name: "unknown", in: "ready", bad: true},
		{name: "no header end", in: "result 1 2 0 0 0", bad: true},
		{name: "fields missing", in: "result 1 2 0 0\n", bad: true},
		{name: "not a number", in: "result 1 2 x 0 0\n", bad: true},
		{name: "flag not 0 or 1", in: "result 1 2 0 2 0\n", bad: true},
		{name: "exit code too big", in: "result 1 2 256 0 0\n", bad: true},
		{name: "end before start", in: "result 2 1 0 0 0\n", bad: true},
		{name: "output too long", in: long, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReply([]byte(tt.in))
			var cerr *CheckError
			switch {
			case tt.bad:
				if err == nil || errors.As(err, &cerr) {
					t.Errorf("ParseReply(%q) = %+v, %v; want a protocol error", tt.in, got, err)
				}
			case tt.check != "":
				if !errors.As(err, &cerr) || cerr.Message != tt.check {
					t.Errorf("ParseReply(%q) error = %v, want the check error %q", tt.in, err, tt.check)
				}
			case err != nil:
				t.Errorf("ParseReply(%q): %v", tt.in, err)
			case !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) || got.ExitCode != tt.want.ExitCode ||
				got.TimedOut != tt.want.TimedOut || got.Truncated != tt.want.Truncated || !bytes.Equal(got.Output, tt.want.Output):
				t.Errorf("ParseReply(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseReply feeds the decoder what a container can influence (its
// output, the stage's error text): it must never panic, never keep more
// than MaxOutput bytes, and never accept a result out of range.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"result 1 2 0 0 0\nok", "result 1 2 -1 1 1\n", "error x", `error {"type":"error","message":"m"}`, "ready"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReply(b)
		if err != nil {
			return
		}
		if len(r.Output) > MaxOutput || r.ExitCode < -1 || r.ExitCode > 255 || r.End.Before(r.Start) {
			t.Errorf("ParseReply(%q) accepted %+v", b, r)
		}
	})
}
