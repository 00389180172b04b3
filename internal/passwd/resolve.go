package passwd

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/rootread"
)

// maxGroups is the kernel's NGROUPS_MAX: setgroups refuses more.
const maxGroups = 65536

// ExecUser is a resolved spec: what the process runs as.
type ExecUser struct {
	UID, GID uint32
	// AdditionalGIDs are the supplementary groups, without the primary
	// group, each once, in /etc/group's order.
	AdditionalGIDs []uint32
	// Home is the user's home directory from /etc/passwd, "/" when it
	// has none or the user is not listed.
	Home string
}

// Resolve parses spec and resolves it against the /etc/passwd and
// /etc/group of the root file system at root. A missing file counts as
// empty. A file that is not a regular file, or is larger than
// MaxFileSize, is an error naming it; so is a name that the files do not
// list. Every error wraps errdefs.ErrInvalidArgument.
func Resolve(root, spec string) (ExecUser, error) {
	s, err := ParseSpec(spec)
	if err != nil {
		return ExecUser{}, err
	}
	users, err := readTable(root, "/etc/passwd", spec)
	if err != nil {
		return ExecUser{}, err
	}
	groups, err := readTable(root, "/etc/group", spec)
	if err != nil {
		return ExecUser{}, err
	}
	return Lookup(s, ParsePasswd(users), ParseGroup(groups))
}

// readTable reads one of the files, for the spec being resolved.
func readTable(root, name, spec string) ([]byte, error) {
	b, err := rootread.ReadFile(root, name, MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resolving user %q from the container's files: %w", spec, err)
	}
	return b, nil
}

// Lookup resolves a parsed spec against parsed files, by Docker's rules
// (see the package comment).
func Lookup(s Spec, users []User, groups []Group) (ExecUser, error) {
	u := ExecUser{Home: "/"}
	i := slices.IndexFunc(users, func(e User) bool {
		if s.UserIsID {
			return e.UID == s.UID
		}
		return e.Name == s.User
	})
	name := ""
	switch {
	case i >= 0:
		e := users[i]
		u.UID, u.GID, name = e.UID, e.GID, e.Name
		if e.Home != "" {
			u.Home = e.Home
		}
	case s.UserIsID:
		u.UID = s.UID
	default:
		return u, fmt.Errorf("unable to find user %s: no matching entries in the container's /etc/passwd: %w", s.User, errdefs.ErrInvalidArgument)
	}

	if s.HasGroup() {
		j := slices.IndexFunc(groups, func(g Group) bool {
			if s.GroupIsID {
				return g.GID == s.GID
			}
			return g.Name == s.Group
		})
		switch {
		case j >= 0:
			u.GID = groups[j].GID
		case s.GroupIsID:
			u.GID = s.GID
		default:
			return u, fmt.Errorf("unable to find group %s: no matching entries in the container's /etc/group: %w", s.Group, errdefs.ErrInvalidArgument)
		}
		return u, nil
	}
	if name == "" {
		return u, nil
	}
	seen := map[uint32]bool{u.GID: true}
	for _, g := range groups {
		if seen[g.GID] || !slices.Contains(g.Members, name) {
			continue
		}
		if len(u.AdditionalGIDs) == maxGroups {
			return u, fmt.Errorf("user %s is in more than %d groups in the container's /etc/group: %w", name, maxGroups, errdefs.ErrInvalidArgument)
		}
		seen[g.GID] = true
		u.AdditionalGIDs = append(u.AdditionalGIDs, g.GID)
	}
	return u, nil
}
