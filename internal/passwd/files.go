package passwd

import (
	"bytes"
	"strconv"
	"strings"
)

// MaxFileSize is the most of /etc/passwd or /etc/group that is read: far
// more than any real system's (a line is about 40 bytes), small enough
// that a hostile image cannot inflate the daemon.
const MaxFileSize = 1 << 20

// maxFileID is the largest id a file may hold: every uid_t but (uid_t)-1,
// which the kernel reads as "no change".
const maxFileID = 1<<32 - 2

// User is one entry of /etc/passwd.
type User struct {
	Name     string
	UID, GID uint32
	Home     string
}

// Group is one entry of /etc/group.
type Group struct {
	Name    string
	GID     uint32
	Members []string
}

// ParsePasswd parses the content of an /etc/passwd file
// ("name:password:uid:gid:gecos:home:shell"). Blank lines, comments and
// lines that do not parse (too few fields, an id that is not a number in
// range, a NUL byte) are skipped; extra fields are ignored.
func ParsePasswd(data []byte) []User {
	var out []User
	eachLine(data, func(f []string) {
		if len(f) < 4 {
			return
		}
		uid, ok1 := parseFileID(f[2])
		gid, ok2 := parseFileID(f[3])
		if f[0] == "" || !ok1 || !ok2 {
			return
		}
		u := User{Name: f[0], UID: uid, GID: gid}
		if len(f) > 5 {
			u.Home = f[5]
		}
		out = append(out, u)
	})
	return out
}

// ParseGroup parses the content of an /etc/group file
// ("name:password:gid:member,member"), skipping lines as ParsePasswd
// does. Empty member names are dropped.
func ParseGroup(data []byte) []Group {
	var out []Group
	eachLine(data, func(f []string) {
		if len(f) < 3 {
			return
		}
		gid, ok := parseFileID(f[2])
		if f[0] == "" || !ok {
			return
		}
		g := Group{Name: f[0], GID: gid}
		if len(f) > 3 {
			for _, m := range strings.Split(f[3], ",") {
				if m = strings.TrimSpace(m); m != "" {
					g.Members = append(g.Members, m)
				}
			}
		}
		out = append(out, g)
	})
	return out
}

// eachLine calls fn with the ':'-separated fields of each line that is
// neither blank nor a comment. A line with a NUL byte is skipped: no
// name, and no HOME handed to execve, may hold one.
func eachLine(data []byte, fn func([]string)) {
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' || bytes.IndexByte(line, 0) >= 0 {
			continue
		}
		fn(strings.Split(string(line), ":"))
	}
}

func parseFileID(s string) (uint32, bool) {
	if !isDigits(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil && n <= maxFileID
}
