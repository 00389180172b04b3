package passwd

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/rootread"
)

// GroupIDs resolves supplementary groups given by name or id (Docker's
// --group-add) against the /etc/group of the root file system at root,
// read as Resolve reads it. A number is a gid even if no group has it,
// as in Docker; a name must be listed. The file is read only if a name
// needs it.
func GroupIDs(root string, names []string) ([]uint32, error) {
	var groups []Group
	loaded := false
	out := make([]uint32, 0, len(names))
	for _, n := range names {
		if n != "" && strings.Trim(n, "0123456789") == "" {
			g, err := strconv.ParseUint(n, 10, 32)
			if err != nil || g > maxFileID {
				return nil, fmt.Errorf("group id %s is out of range: %w", n, errdefs.ErrInvalidArgument)
			}
			out = append(out, uint32(g))
			continue
		}
		if !loaded {
			b, err := rootread.ReadFile(root, "/etc/group", MaxFileSize)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("resolving group %q from the container's files: %w", n, err)
			}
			groups, loaded = ParseGroup(b), true
		}
		i := slices.IndexFunc(groups, func(g Group) bool { return g.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unable to find group %s: no matching entries in group file: %w", n, errdefs.ErrInvalidArgument)
		}
		out = append(out, groups[i].GID)
	}
	return out, nil
}
