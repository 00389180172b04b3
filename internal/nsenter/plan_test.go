package nsenter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The capability masks the cases expect, written out rather than computed
// by the capabilities package: 0xa80425fb is the CapBnd every Docker
// container shows in /proc/self/status.
const (
	maskDefaults = 0xa80425fb
	maskNBS      = 1 << 10 // CAP_NET_BIND_SERVICE
)

// dockerCaps are Docker's default capability names (capabilities.DockerDefaults).
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// refPlan is a process plan as process.h lays it out, read by parsePlan: a
// second decoder, written from the format's description, against which the
// encoder's output and the C decoder's verdicts are checked.
type refPlan struct {
	Flags, UID, GID, Umask uint32
	OOMScoreAdj            int32
	InitPid                uint32
	Rows, Cols             uint16
	// Bounding, effective, permitted, inheritable, ambient.
	Caps    [5]uint64
	Groups  []uint32
	Rlimits []refRlimit
	Cwd     string
	Args    []string
	Env     []string
	Startup [][]string
}

type refRlimit struct {
	Resource   uint32
	Soft, Hard uint64
}

// planReader reads the fields of a plan; the first short read sticks in err.
type planReader struct {
	b   []byte
	err error
}

func (r *planReader) bytes(n uint64, what string) []byte {
	if r.err != nil {
		return nil
	}
	if uint64(len(r.b)) < n {
		r.err = fmt.Errorf("%s: %d bytes needed, %d left", what, n, len(r.b))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *planReader) u16(what string) uint16 {
	if v := r.bytes(2, what); v != nil {
		return binary.NativeEndian.Uint16(v)
	}
	return 0
}

func (r *planReader) u32(what string) uint32 {
	if v := r.bytes(4, what); v != nil {
		return binary.NativeEndian.Uint32(v)
	}
	return 0
}

func (r *planReader) u64(what string) uint64 {
	if v := r.bytes(8, what); v != nil {
		return binary.NativeEndian.Uint64(v)
	}
	return 0
}

func (r *planReader) str(what string) string {
	n := r.u32(what)
	v := r.bytes(uint64(n)+1, what)
	if v == nil {
		return ""
	}
	if v[n] != 0 {
		r.err = fmt.Errorf("%s: no NUL after its %d bytes", what, n)
	} else if bytes.IndexByte(v[:n], 0) >= 0 {
		r.err = fmt.Errorf("%s: a NUL byte inside", what)
	}
	return string(v[:n])
}

func (r *planReader) strs(what string) []string {
	n := r.u32(what)
	var v []string
	for i := uint32(0); i < n && r.err == nil; i++ {
		v = append(v, r.str(fmt.Sprintf("%s[%d]", what, i)))
	}
	return v
}

// parsePlan decodes b by the description in process.h.
func parsePlan(b []byte) (*refPlan, error) {
	r := &planReader{b: b}
	var p refPlan
	if magic := r.u32("magic"); r.err == nil && magic != ppMagic {
		return nil, fmt.Errorf("magic %#x", magic)
	}
	p.Flags = r.u32("flags")
	p.UID = r.u32("uid")
	p.GID = r.u32("gid")
	p.Umask = r.u32("umask")
	p.OOMScoreAdj = int32(r.u32("oom_score_adj"))
	p.InitPid = r.u32("init_pid")
	p.Rows = r.u16("rows")
	p.Cols = r.u16("cols")
	for i := range p.Caps {
		p.Caps[i] = r.u64("capabilities")
	}
	for n := r.u32("groups"); n > 0 && r.err == nil; n-- {
		p.Groups = append(p.Groups, r.u32("group"))
	}
	for n := r.u32("rlimits"); n > 0 && r.err == nil; n-- {
		p.Rlimits = append(p.Rlimits, refRlimit{r.u32("resource"), r.u64("soft"), r.u64("hard")})
	}
	p.Cwd = r.str("cwd")
	p.Args = r.strs("args")
	p.Env = r.strs("env")
	for n := r.u32("startup"); n > 0 && r.err == nil; n-- {
		p.Startup = append(p.Startup, r.strs("startup command"))
	}
	switch {
	case r.err != nil:
		return nil, r.err
	case len(r.b) != 0:
		return nil, fmt.Errorf("%d bytes after the plan", len(r.b))
	case len(p.Args) == 0:
		return nil, errors.New("no args")
	}
	return &p, nil
}

func ptr[T any](v T) *T { return &v }

// planCase is a process and the plan it must encode to.
type planCase struct {
	name string
	p    *specs.Process
	o    PlanOptions
	want refPlan
}

// planCases covers every field of the format; each case's plan must be
// accepted by the C decoder, and serves as a fuzzing seed.
func planCases() []planCase {
	return []planCase{
		{
			name: "minimal",
			p:    &specs.Process{Args: []string{"/bin/true"}},
			want: refPlan{Args: []string{"/bin/true"}},
		},
		{
			name: "terminal with a console size",
			p: &specs.Process{Args: []string{"sh"}, Terminal: true,
				ConsoleSize: &specs.Box{Height: 24, Width: 80}},
			want: refPlan{Flags: ppTerminal | ppConsoleSize, Rows: 24, Cols: 80, Args: []string{"sh"}},
		},
		{
			name: "terminal without a size",
			p:    &specs.Process{Args: []string{"sh"}, Terminal: true},
			want: refPlan{Flags: ppTerminal, Args: []string{"sh"}},
		},
		{
			name: "no_new_privs and docker's capabilities with one ambient",
			p: &specs.Process{Args: []string{"a"}, NoNewPrivileges: true,
				Capabilities: &specs.LinuxCapabilities{Bounding: dockerCaps, Effective: dockerCaps,
					Permitted: dockerCaps, Inheritable: []string{"CAP_NET_BIND_SERVICE"},
					Ambient: []string{"CAP_NET_BIND_SERVICE"}}},
			want: refPlan{Flags: ppNoNewPrivs | ppCaps, Args: []string{"a"},
				Caps: [5]uint64{maskDefaults, maskDefaults, maskDefaults, maskNBS, maskNBS}},
		},
		{
			// Empty sets drop every capability; no sets leave them alone.
			name: "empty capability sets",
			p:    &specs.Process{Args: []string{"a"}, Capabilities: &specs.LinuxCapabilities{}},
			want: refPlan{Flags: ppCaps, Args: []string{"a"}},
		},
		{
			name: "user with umask and additional gids",
			p: &specs.Process{Args: []string{"a"},
				User: specs.User{UID: 1000, GID: 1001, Umask: ptr(uint32(0o027)), AdditionalGids: []uint32{10, 20, 65534}}},
			want: refPlan{Flags: ppUmask, UID: 1000, GID: 1001, Umask: 0o027, Groups: []uint32{10, 20, 65534},
				Args: []string{"a"}},
		},
		{
			name: "umask 0 is set",
			p:    &specs.Process{Args: []string{"a"}, User: specs.User{Umask: ptr(uint32(0))}},
			want: refPlan{Flags: ppUmask, Args: []string{"a"}},
		},
		{
			name: "the largest ids",
			p:    &specs.Process{Args: []string{"a"}, User: specs.User{UID: math.MaxUint32 - 1, GID: math.MaxUint32 - 1}},
			want: refPlan{UID: math.MaxUint32 - 1, GID: math.MaxUint32 - 1, Args: []string{"a"}},
		},
		{
			name: "negative oomScoreAdj",
			p:    &specs.Process{Args: []string{"a"}, OOMScoreAdj: ptr(-999)},
			want: refPlan{Flags: ppOOM, OOMScoreAdj: -999, Args: []string{"a"}},
		},
		{
			name: "oomScoreAdj 0 is set",
			p:    &specs.Process{Args: []string{"a"}, OOMScoreAdj: ptr(0)},
			want: refPlan{Flags: ppOOM, Args: []string{"a"}},
		},
		{
			name: "rlimits",
			p: &specs.Process{Args: []string{"a"}, Rlimits: []specs.POSIXRlimit{
				{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: 4096},
				{Type: "RLIMIT_AS", Soft: 1 << 32, Hard: math.MaxUint64},
				{Type: "RLIMIT_CORE"},
				{Type: "RLIMIT_RTTIME", Soft: 1, Hard: 2},
			}},
			want: refPlan{Args: []string{"a"}, Rlimits: []refRlimit{
				{7, 1024, 4096}, {9, 1 << 32, math.MaxUint64}, {4, 0, 0}, {15, 1, 2},
			}},
		},
		{
			name: "strings of every kind",
			p: &specs.Process{Args: []string{"/bin/sh", "-c", `echo "$HOME" \ é`, ""}, Cwd: "/work dir/ü",
				Env: []string{"PATH=/usr/bin:/bin", "EMPTY=", "NL=a\nb"}},
			want: refPlan{Cwd: "/work dir/ü", Args: []string{"/bin/sh", "-c", `echo "$HOME" \ é`, ""},
				Env: []string{"PATH=/usr/bin:/bin", "EMPTY=", "NL=a\nb"}},
		},
		{
			name: "startup commands",
			p:    &specs.Process{Args: []string{"a"}},
			o:    PlanOptions{Startup: [][]string{{"/bin/true"}, {"/bin/sh", "-c", "exit 3"}}},
			want: refPlan{Args: []string{"a"}, Startup: [][]string{{"/bin/true"}, {"/bin/sh", "-c", "exit 3"}}},
		},
		{
			name: "init pid",
			p:    &specs.Process{Args: []string{"a"}},
			o:    PlanOptions{InitPid: 4242},
			want: refPlan{Flags: ppChrootInit, InitPid: 4242, Args: []string{"a"}},
		},
		{
			name: "everything",
			p: &specs.Process{Args: []string{"/bin/app", "--flag"}, Env: []string{"A=1"}, Cwd: "/srv",
				Terminal: true, ConsoleSize: &specs.Box{Height: 50, Width: 132}, NoNewPrivileges: true,
				User:        specs.User{UID: 1, GID: 2, Umask: ptr(uint32(0o077)), AdditionalGids: []uint32{3}},
				OOMScoreAdj: ptr(1000),
				Capabilities: &specs.LinuxCapabilities{Bounding: dockerCaps,
					Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_KILL"}},
				Rlimits: []specs.POSIXRlimit{{Type: "RLIMIT_NPROC", Soft: 10, Hard: 20}}},
			o: PlanOptions{Startup: [][]string{{"init-db", "--once"}}, InitPid: 1},
			want: refPlan{
				Flags: ppTerminal | ppConsoleSize | ppNoNewPrivs | ppUmask | ppOOM | ppCaps | ppChrootInit,
				UID:   1, GID: 2, Umask: 0o077, OOMScoreAdj: 1000, InitPid: 1, Rows: 50, Cols: 132,
				Caps:    [5]uint64{maskDefaults, 1 << 5, 1 << 5, 0, 0},
				Groups:  []uint32{3},
				Rlimits: []refRlimit{{6, 10, 20}},
				Cwd:     "/srv", Args: []string{"/bin/app", "--flag"}, Env: []string{"A=1"},
				Startup: [][]string{{"init-db", "--once"}},
			},
		},
	}
}

// encodeCase encodes c's plan, failing tb if that fails.
func encodeCase(tb testing.TB, c planCase) []byte {
	tb.Helper()
	b, err := EncodePlan(c.p, c.o)
	if err != nil {
		tb.Fatalf("EncodePlan(%s): %v", c.name, err)
	}
	return b
}

func TestEncodePlan(t *testing.T) {
	for _, c := range planCases() {
		t.Run(c.name, func(t *testing.T) {
			b := encodeCase(t, c)
			got, err := parsePlan(b)
			if err != nil {
				t.Fatalf("the plan does not follow process.h: %v\n% x", err, b)
			}
			if !reflect.DeepEqual(*got, c.want) {
				t.Errorf("plan fields:\n got %+v\nwant %+v", *got, c.want)
			}
			if err := decodePlan(b); err != nil {
				t.Errorf("the C decoder refuses the plan: %v", err)
			}
			// AppendPlan leaves what it appends to alone.
			prefix := []byte("prefix")
			appended, err := AppendPlan(prefix, c.p, c.o)
			if err != nil || string(appended[:len(prefix)]) != "prefix" || !bytes.Equal(appended[len(prefix):], b) {
				t.Errorf("AppendPlan(%q) = %q, %v; want the prefix and the plan", prefix, appended, err)
			}
		})
	}
}

func TestEncodePlanErrors(t *testing.T) {
	args := []string{"/bin/true"}
	tests := []struct {
		name string
		p    *specs.Process
		o    PlanOptions
		want string // a substring of the error
	}{
		{name: "nil process", p: nil, want: "process.args must not be empty"},
		{name: "no args", p: &specs.Process{Cwd: "/"}, want: "process.args must not be empty"},
		{name: "empty args", p: &specs.Process{Args: []string{}}, want: "process.args must not be empty"},
		{
			name: "unknown rlimit type",
			p:    &specs.Process{Args: args, Rlimits: []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE"}, {Type: "RLIMIT_FOO"}}},
			want: `process.rlimits: unknown type "RLIMIT_FOO"`,
		},
		{
			name: "lower-case rlimit type",
			p:    &specs.Process{Args: args, Rlimits: []specs.POSIXRlimit{{Type: "rlimit_nofile"}}},
			want: `process.rlimits: unknown type "rlimit_nofile"`,
		},
		{
			name: "unknown capability",
			p:    &specs.Process{Args: args, Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_FLY"}}},
			want: `process.capabilities: bounding set: unknown capability "CAP_FLY"`,
		},
		{
			name: "effective outside permitted",
			p:    &specs.Process{Args: args, Capabilities: &specs.LinuxCapabilities{Effective: []string{"CAP_KILL"}}},
			want: `process.capabilities: capabilities: effective capability "CAP_KILL" is not in the permitted set`,
		},
		{
			name: "NUL in an arg",
			p:    &specs.Process{Args: []string{"/bin/echo", "a\x00b"}},
			want: `process.args[1] "a\x00b" contains a NUL byte`,
		},
		{
			name: "NUL in args[0]",
			p:    &specs.Process{Args: []string{"/bin/echo\x00"}},
			want: `process.args[0] "/bin/echo\x00" contains a NUL byte`,
		},
		{
			name: "NUL in the env",
			p:    &specs.Process{Args: args, Env: []string{"A=1", "B=\x00"}},
			want: `process.env[1] "B=\x00" contains a NUL byte`,
		},
		{
			name: "NUL in the cwd",
			p:    &specs.Process{Args: args, Cwd: "/a\x00/b"},
			want: `process.cwd "/a\x00/b" contains a NUL byte`,
		},
		{
			name: "NUL in a startup command",
			p:    &specs.Process{Args: args},
			o:    PlanOptions{Startup: [][]string{{"/bin/true"}, {"/bin/sh", "\x00"}}},
			want: `startup command #2[1] "\x00" contains a NUL byte`,
		},
		{
			name: "an empty startup command",
			p:    &specs.Process{Args: args},
			o:    PlanOptions{Startup: [][]string{{"/bin/true"}, {}}},
			want: `startup command #2 is empty`,
		},
		{
			name: "the first of two bad strings is named",
			p:    &specs.Process{Args: []string{"a\x00"}, Env: []string{"\x00"}, Cwd: "\x00"},
			want: `process.cwd "\x00" contains a NUL byte`,
		},
		{
			name: "larger than a plan may be",
			p:    &specs.Process{Args: []string{strings.Repeat("x", 64<<20)}},
			want: "more than the 67108864 a plan may have",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := EncodePlan(tt.p, tt.o)
			if err == nil {
				t.Fatalf("EncodePlan succeeded (%d bytes), want an error containing %q", len(b), tt.want)
			}
			if b != nil {
				t.Errorf("EncodePlan returned %d bytes with its error", len(b))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error does not wrap ErrInvalidArgument: %v", err)
			}
		})
	}
}

// TestDecodePlanRejectsMalformed: a plan cut anywhere, or followed by
// anything, is refused with a message that says how far the decoder got.
func TestDecodePlanRejectsMalformed(t *testing.T) {
	for _, c := range planCases() {
		t.Run(c.name, func(t *testing.T) {
			b := encodeCase(t, c)
			for i := 0; i < len(b); i++ {
				err := decodePlan(b[:i])
				if err == nil {
					t.Fatalf("the first %d of %d bytes were accepted", i, len(b))
				}
				want := "process plan: malformed"
				if i < 4 {
					want = "process plan: not a plan (bad magic)"
				}
				if !strings.HasPrefix(err.Error(), want) {
					t.Fatalf("the first %d of %d bytes: %q, want %q...", i, len(b), err, want)
				}
			}
			for _, extra := range []byte{0, 1, 0xff} {
				err := decodePlan(append(bytes.Clone(b), extra))
				want := fmt.Sprintf("process plan: malformed (%d of %d bytes read)", len(b), len(b)+1)
				if err == nil || err.Error() != want {
					t.Errorf("plan and a byte %#x: %v, want %q", extra, err, want)
				}
			}
			bad := bytes.Clone(b)
			bad[0] ^= 1
			if err := decodePlan(bad); err == nil || !strings.Contains(err.Error(), "bad magic") {
				t.Errorf("a plan with another magic: %v, want bad magic", err)
			}
		})
	}
}

// TestDecodePlanRejectsBadStrings: the C decoder checks what the encoder
// guarantees about strings, since a string it accepts goes to execve.
func TestDecodePlanRejectsBadStrings(t *testing.T) {
	b, err := EncodePlan(&specs.Process{Args: []string{"/bin/echo", "abc"}}, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The plan ends with args ("/bin/echo", "abc"), an empty env and no
	// startup command: "abc" and its NUL are 8+4+4+1 bytes from the end.
	at := len(b) - 8 - 1 - 3
	if string(b[at:at+3]) != "abc" {
		t.Fatalf("layout changed: % x", b)
	}
	for _, tt := range []struct {
		name string
		edit func(b []byte)
	}{
		{"a NUL inside", func(b []byte) { b[at+1] = 0 }},
		{"no NUL after", func(b []byte) { b[at+3] = 'd' }},
		{"a length past the end", func(b []byte) { binary.NativeEndian.PutUint32(b[at-4:], 1<<31) }},
		{"a length one short", func(b []byte) { binary.NativeEndian.PutUint32(b[at-4:], 2) }},
		{"a count past the end", func(b []byte) { binary.NativeEndian.PutUint32(b[len(b)-4:], math.MaxUint32) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(b)
			tt.edit(bad)
			if err := decodePlan(bad); err == nil || !strings.HasPrefix(err.Error(), "process plan: malformed") {
				t.Errorf("decodePlan: %v, want it malformed", err)
			}
		})
	}
	// No args at all: a program is required. The args' count is before
	// "abc"'s length and "/bin/echo" (4+9+1 bytes); replace it and what
	// follows with three counts of 0 (args, env, startup commands).
	noArgs := append(bytes.Clone(b[:at-4-14-4]), make([]byte, 12)...)
	if _, err := parsePlan(noArgs); err == nil || err.Error() != "no args" {
		t.Fatalf("layout changed: %v", err)
	}
	if err := decodePlan(noArgs); err == nil {
		t.Error("a plan without args was accepted")
	}
}

// FuzzDecodePlan feeds the C decoder arbitrary bytes. It must never crash
// (run it with -asan too), must accept exactly what parsePlan accepts, and
// must refuse a plan it accepts once a byte is cut off or added.
func FuzzDecodePlan(f *testing.F) {
	for _, c := range planCases() {
		b := encodeCase(f, c)
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(b[:len(b)-1])
		f.Add(append(bytes.Clone(b), 0))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		err := decodePlan(b)
		if err != nil && !strings.HasPrefix(err.Error(), "process plan: ") {
			t.Errorf("error not prefixed by what failed: %q", err)
		}
		_, refErr := parsePlan(b)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("the C decoder says %v, the format's description %v\n% x", err, refErr, b)
		}
		if err != nil {
			return
		}
		if decodePlan(b[:len(b)-1]) == nil {
			t.Errorf("accepted without its last byte: % x", b)
		}
		if decodePlan(append(bytes.Clone(b), 0)) == nil {
			t.Errorf("accepted with a byte added: % x", b)
		}
	})
}
