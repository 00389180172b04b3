package passwd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// MaxSpecID is the largest uid or gid a spec may name: runc's limit
// (libcontainer/user's maxID), which keeps ids positive as a signed int32
// everywhere they travel.
const MaxSpecID = 1<<31 - 1

// maxNameLen bounds a user or group name (LOGIN_NAME_MAX is 256 with the
// terminating NUL).
const maxNameLen = 255

// Spec is a parsed "user[:group]". A part that is all digits is an id;
// any other part is a name.
type Spec struct {
	// User is the user part as given; empty means root.
	User string
	// UID is the user part's value when UserIsID.
	UID      uint32
	UserIsID bool
	// Group is the group part as given; empty means none.
	Group string
	// GID is the group part's value when GroupIsID.
	GID       uint32
	GroupIsID bool
}

// HasGroup reports whether the spec names a group.
func (s Spec) HasGroup() bool { return s.Group != "" }

// String is the spec as Docker writes it.
func (s Spec) String() string {
	if s.Group == "" {
		return s.User
	}
	return s.User + ":" + s.Group
}

// ParseSpec checks and parses a user spec. The empty spec is root. An
// invalid spec is an error wrapping errdefs.ErrInvalidArgument that
// quotes it and says what is wrong.
func ParseSpec(spec string) (Spec, error) {
	if spec == "" {
		return Spec{User: "0", UserIsID: true}, nil
	}
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, fmt.Errorf("user %q: %s: %w", spec, fmt.Sprintf(format, args...), errdefs.ErrInvalidArgument)
	}
	user, group, hasGroup := strings.Cut(spec, ":")
	if strings.Contains(group, ":") {
		return bad("more than one ':' (want user, uid, user:group or uid:gid)")
	}
	if user == "" {
		return bad("the user part is empty")
	}
	if hasGroup && group == "" {
		return bad("the group part after ':' is empty")
	}
	var s Spec
	var err error
	if s.UID, s.UserIsID, err = parsePart(user, "uid"); err != nil {
		return bad("%v", err)
	}
	s.User = user
	if hasGroup {
		if s.GID, s.GroupIsID, err = parsePart(group, "gid"); err != nil {
			return bad("%v", err)
		}
		s.Group = group
	}
	return s, nil
}

// parsePart checks one part of a spec: an id within 0..MaxSpecID, or a
// name. kind is "uid" or "gid", for the error.
func parsePart(p, kind string) (uint32, bool, error) {
	if isDigits(p) {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || n > MaxSpecID {
			return 0, false, fmt.Errorf("%s %s is out of range (0 to %d)", kind, p, MaxSpecID)
		}
		return uint32(n), true, nil
	}
	if p[0] == '-' || p[0] == '+' {
		if isDigits(p[1:]) {
			return 0, false, fmt.Errorf("%s %s is not valid: ids are 0 to %d, without a sign", kind, p, MaxSpecID)
		}
		return 0, false, fmt.Errorf("name %q must not begin with %q", p, p[0])
	}
	if len(p) > maxNameLen {
		return 0, false, fmt.Errorf("name is %d bytes long, more than %d", len(p), maxNameLen)
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c == 0x7f || c == ',' {
			return 0, false, fmt.Errorf("name %q contains %q, which no user or group name may", p, c)
		}
	}
	return 0, false, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
