package passwd

import (
	"errors"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// The seed corpus is in testdata/fuzz/<Target>; `go test` runs it as a
// regression test, `go test -fuzz` explores from it.

// FuzzParsePasswd checks that no /etc/passwd content makes the parser
// panic, and that what it returns is what a line said: a name, ids in
// range and no NUL or newline anywhere.
func FuzzParsePasswd(f *testing.F) {
	f.Add([]byte(testPasswd))
	f.Add([]byte("a:x:4294967294:4294967295:::\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, u := range ParsePasswd(data) {
			if u.Name == "" || u.UID > maxFileID || u.GID > maxFileID {
				t.Fatalf("entry %+v", u)
			}
			if strings.ContainsAny(u.Name+u.Home, "\x00\n:") {
				t.Fatalf("entry %+v holds a NUL, newline or ':'", u)
			}
		}
	})
}

// FuzzParseGroup is FuzzParsePasswd for /etc/group.
func FuzzParseGroup(f *testing.F) {
	f.Add([]byte(testGroup))
	f.Add([]byte("g:x:1:,,a,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, g := range ParseGroup(data) {
			if g.Name == "" || g.GID > maxFileID {
				t.Fatalf("entry %+v", g)
			}
			for _, m := range g.Members {
				if m == "" || strings.ContainsAny(m, "\x00\n:,") {
					t.Fatalf("member %q of %+v", m, g)
				}
			}
		}
	})
}

// FuzzParseUserSpec checks that a spec either parses into ids within
// 0..MaxSpecID and names without separators, or is refused as an invalid
// argument; and that a parsed spec resolves against fixed files without
// panicking and to ids in range.
func FuzzParseUserSpec(f *testing.F) {
	for _, s := range []string{"", "web", "33", "web:staff", "1234:77", "2147483648", "-1", "1000:-1", "a:b:c"} {
		f.Add(s)
	}
	users, groups := ParsePasswd([]byte(testPasswd)), ParseGroup([]byte(testGroup))
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSpec(spec)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("ParseSpec(%q): %v is not ErrInvalidArgument", spec, err)
			}
			return
		}
		if spec != "" && s.String() != spec {
			t.Fatalf("ParseSpec(%q).String() = %q", spec, s.String())
		}
		if s.UID > MaxSpecID || s.GID > MaxSpecID || strings.ContainsAny(s.User+s.Group, ":,\x00\n ") {
			t.Fatalf("ParseSpec(%q) = %+v", spec, s)
		}
		u, err := Lookup(s, users, groups)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("Lookup(%q): %v is not ErrInvalidArgument", spec, err)
			}
			return
		}
		if s.UserIsID && u.UID != s.UID || s.GroupIsID && u.GID != s.GID {
			t.Fatalf("Lookup(%q) = %+v", spec, u)
		}
	})
}
