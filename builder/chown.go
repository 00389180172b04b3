package builder

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// resolveOwner turns a --chown value ("user", "user:group", numeric or
// names) into ids, reading names from the image's /etc/passwd and
// /etc/group. A user without a group gets the user's primary group, or
// the same number when the user is numeric.
func resolveOwner(spec string, view layerView) (owner, error) {
	user, group, hasGroup := strings.Cut(spec, ":")
	if user == "" {
		return owner{}, fmt.Errorf("--chown=%s: empty user: %w", spec, errdefs.ErrInvalidArgument)
	}
	var o owner
	primary := -1
	if n, err := strconv.ParseUint(user, 10, 31); err == nil {
		o.uid, primary = int(n), int(n)
	} else {
		fields, err := lookupEntry(view, "/etc/passwd", user)
		if err != nil {
			return owner{}, fmt.Errorf("--chown=%s: %w", spec, err)
		}
		if len(fields) < 4 {
			return owner{}, fmt.Errorf("--chown=%s: malformed /etc/passwd entry of %s: %w", spec, user, errdefs.ErrInvalidArgument)
		}
		uid, err1 := strconv.ParseUint(fields[2], 10, 31)
		gid, err2 := strconv.ParseUint(fields[3], 10, 31)
		if err1 != nil || err2 != nil {
			return owner{}, fmt.Errorf("--chown=%s: malformed /etc/passwd entry of %s: %w", spec, user, errdefs.ErrInvalidArgument)
		}
		o.uid, primary = int(uid), int(gid)
	}
	o.gid = primary
	if !hasGroup {
		return o, nil
	}
	if group == "" {
		return owner{}, fmt.Errorf("--chown=%s: empty group: %w", spec, errdefs.ErrInvalidArgument)
	}
	if n, err := strconv.ParseUint(group, 10, 31); err == nil {
		o.gid = int(n)
		return o, nil
	}
	fields, err := lookupEntry(view, "/etc/group", group)
	if err != nil {
		return owner{}, fmt.Errorf("--chown=%s: %w", spec, err)
	}
	gid, err := strconv.ParseUint(fields[2], 10, 31)
	if err != nil {
		return owner{}, fmt.Errorf("--chown=%s: malformed /etc/group entry of %s: %w", spec, group, errdefs.ErrInvalidArgument)
	}
	o.gid = int(gid)
	return o, nil
}

// lookupEntry returns the colon-separated fields of the line of file (an
// /etc/passwd-like file of the image) whose first field is name.
func lookupEntry(view layerView, file, name string) ([]string, error) {
	data, err := view.readFile(file)
	if err != nil {
		return nil, fmt.Errorf("looking up %s: the image has no %s: %w", name, file, errdefs.ErrNotFound)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) >= 3 && fields[0] == name {
			return fields, nil
		}
	}
	return nil, fmt.Errorf("no %s in the image's %s: %w", name, file, errdefs.ErrNotFound)
}
