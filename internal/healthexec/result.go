package healthexec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// MaxOutput is how much of a check's output the executor keeps (as
// Docker keeps).
const MaxOutput = 4096

// Result is the outcome of one check that ran.
type Result struct {
	Start, End time.Time
	// ExitCode is the check's exit code (128+n for signal n); -1 when
	// it timed out.
	ExitCode int
	TimedOut bool
	// Truncated tells that output past MaxOutput was dropped.
	Truncated bool
	// Output is the first MaxOutput bytes of its stdout and stderr.
	Output []byte
}

// CheckError is a check that could not be started: the exec stage's own
// message, or the executor's.
type CheckError struct{ Message string }

func (e *CheckError) Error() string { return e.Message }

// ParseReply decodes one packet of the executor's answer to "run": a
// result, or an error (a *CheckError). The bytes come in part from the
// container (its output, the exec stage's error message), so nothing in
// them is trusted beyond its size.
func ParseReply(b []byte) (Result, error) {
	var r Result
	if msg, ok := bytes.CutPrefix(b, []byte("error ")); ok {
		return r, &CheckError{Message: stageMessage(msg)}
	}
	rest, ok := bytes.CutPrefix(b, []byte("result "))
	if !ok {
		return r, fmt.Errorf("health executor: unexpected reply %.32q", b)
	}
	header, out, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return r, errors.New("health executor: a result without its header's end")
	}
	f := bytes.Fields(header)
	if len(f) != 5 {
		return r, fmt.Errorf("health executor: result header %.64q: want 5 fields", header)
	}
	var n [5]int64
	for i, s := range f {
		v, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return r, fmt.Errorf("health executor: result header %.64q: %w", header, err)
		}
		n[i] = v
	}
	if !isFlag(n[3]) || !isFlag(n[4]) || n[2] < -1 || n[2] > 255 || n[1] < n[0] {
		return r, fmt.Errorf("health executor: result header %.64q out of range", header)
	}
	if len(out) > MaxOutput {
		return r, fmt.Errorf("health executor: %d bytes of output, more than %d", len(out), MaxOutput)
	}
	r.Start, r.End = time.Unix(0, n[0]).UTC(), time.Unix(0, n[1]).UTC()
	r.ExitCode, r.TimedOut, r.Truncated = int(n[2]), n[3] == 1, n[4] == 1
	r.Output = bytes.Clone(out)
	return r, nil
}

// isFlag tells whether v is 0 or 1.
func isFlag(v int64) bool { return v == 0 || v == 1 }

// stageMessage is the text of an error: the message of the exec stage's
// {"type":"error","message":...} line (sync.go in package runtime), or
// the text as it is (the executor's own).
func stageMessage(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	var m struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	if json.Unmarshal(line, &m) == nil && m.Type == "error" && m.Message != "" {
		return m.Message
	}
	if bytes.HasPrefix(line, []byte("{")) {
		return fmt.Sprintf("exec stage: %q", line)
	}
	return string(b)
}
