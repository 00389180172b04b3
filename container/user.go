package container

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// execUser is a resolved "user[:group]".
type execUser struct {
	specs.User
	// Home is the user's home directory from /etc/passwd ("/" if unknown).
	Home string
}

// resolveUser turns "user", "user:group", "uid" or "uid:gid" into ids
// from the container's /etc/passwd and /etc/group, as Docker does: a
// user without a group gets the primary group from /etc/passwd (0 for a
// numeric user it does not list), and the supplementary groups are those
// of /etc/group that list the user's name (unless a group was given).
// The files are read through an os.Root on the container's root file
// system, so that symlinks in the image cannot point outside it.
func resolveUser(rootfs, spec string) (execUser, error) {
	u := execUser{Home: "/"}
	if spec == "" {
		spec = "0"
	}
	name, group, hasGroup := strings.Cut(spec, ":")
	if name == "" || (hasGroup && group == "") {
		return u, fmt.Errorf("user %q: empty user or group: %w", spec, errdefs.ErrInvalidArgument)
	}
	root, err := os.OpenRoot(rootfs)
	if err != nil {
		return u, fmt.Errorf("resolving user %q: %w", spec, err)
	}
	defer root.Close()
	passwd, err := readTable(root, "etc/passwd")
	if err != nil {
		return u, fmt.Errorf("resolving user %q: %w", spec, err)
	}
	uid, numeric := parseID(name)
	found := false
	for _, f := range passwd {
		if len(f) < 6 {
			continue
		}
		id, ok := parseID(f[2])
		if !ok || (numeric && id != uid) || (!numeric && f[0] != name) {
			continue
		}
		gid, ok := parseID(f[3])
		if !ok {
			return u, fmt.Errorf("user %q: malformed /etc/passwd entry of %s: %w", spec, f[0], errdefs.ErrInvalidArgument)
		}
		u.UID, u.GID, u.Home, name, found = id, gid, f[5], f[0], true
		break
	}
	if !found {
		if !numeric {
			return u, fmt.Errorf("unable to find user %s: no matching entries in the container's /etc/passwd: %w", name, errdefs.ErrInvalidArgument)
		}
		u.UID, u.GID = uid, 0
	}
	groups, err := readTable(root, "etc/group")
	if err != nil {
		return u, fmt.Errorf("resolving user %q: %w", spec, err)
	}
	if hasGroup {
		gid, ok := parseID(group)
		if !ok {
			ok = false
			for _, f := range groups {
				if len(f) >= 3 && f[0] == group {
					gid, ok = parseID(f[2])
					break
				}
			}
			if !ok {
				return u, fmt.Errorf("unable to find group %s: no matching entries in the container's /etc/group: %w", group, errdefs.ErrInvalidArgument)
			}
		}
		u.GID = gid
		return u, nil
	}
	if !found {
		return u, nil
	}
	for _, f := range groups {
		if len(f) < 4 {
			continue
		}
		gid, ok := parseID(f[2])
		if !ok || gid == u.GID {
			continue
		}
		for _, m := range strings.Split(f[3], ",") {
			if m == name {
				u.AdditionalGids = append(u.AdditionalGids, gid)
				break
			}
		}
	}
	return u, nil
}

// readTable reads an /etc/passwd-like file as colon-separated fields; a
// missing file is an empty table.
func readTable(root *os.Root, name string) ([][]string, error) {
	data, err := root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the container's /%s: %w", name, err)
	}
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, ":"))
	}
	return out, nil
}

func parseID(s string) (uint32, bool) {
	n, err := strconv.ParseUint(s, 10, 31)
	return uint32(n), err == nil
}
