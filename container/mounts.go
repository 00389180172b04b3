package container

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// userMounts turns -v, --mount and --tmpfs requests into OCI mounts. A
// missing bind source directory is created, as Docker's -v does.
func userMounts(ms []api.Mount) ([]specs.Mount, error) {
	var out []specs.Mount
	seen := map[string]bool{}
	for _, m := range ms {
		dest := filepath.Clean(m.Destination)
		if !filepath.IsAbs(m.Destination) || dest == "/" {
			return nil, fmt.Errorf("mount destination %q must be an absolute path other than /: %w", m.Destination, errdefs.ErrInvalidArgument)
		}
		if seen[dest] {
			return nil, fmt.Errorf("duplicate mount point %s: %w", dest, errdefs.ErrInvalidArgument)
		}
		seen[dest] = true
		opts := mountOptions(m.Options)
		switch m.Type {
		case "bind", "":
			if !filepath.IsAbs(m.Source) {
				return nil, fmt.Errorf("bind mount source %q must be an absolute path: %w", m.Source, errdefs.ErrInvalidArgument)
			}
			if _, err := os.Stat(m.Source); os.IsNotExist(err) {
				if err := os.MkdirAll(m.Source, 0o755); err != nil {
					return nil, fmt.Errorf("creating bind mount source %s: %w", m.Source, err)
				}
			} else if err != nil {
				return nil, fmt.Errorf("bind mount source %s: %w", m.Source, err)
			}
			opts = append([]string{"rbind"}, opts...)
			if !hasPropagation(opts) {
				opts = append(opts, "rprivate")
			}
			if m.ReadOnly && !slices.Contains(opts, "ro") {
				opts = append(opts, "ro")
			}
			out = append(out, specs.Mount{Destination: dest, Type: "bind", Source: filepath.Clean(m.Source), Options: opts})
		case "tmpfs":
			if len(opts) == 0 {
				opts = []string{"noexec", "nosuid", "nodev"}
			}
			if m.ReadOnly && !slices.Contains(opts, "ro") {
				opts = append(opts, "ro")
			}
			out = append(out, specs.Mount{Destination: dest, Type: "tmpfs", Source: "tmpfs", Options: opts})
		default:
			return nil, fmt.Errorf("mount type %q is not supported (bind, tmpfs): %w", m.Type, errdefs.ErrInvalidArgument)
		}
	}
	return out, nil
}

// mountOptions drops Docker's options that mean nothing here (SELinux
// relabeling, volume copy) and splits comma lists.
func mountOptions(in []string) []string {
	var out []string
	for _, o := range in {
		for _, p := range strings.Split(o, ",") {
			switch p = strings.TrimSpace(p); p {
			case "", "z", "Z", "nocopy", "rw", "bind", "rbind":
			default:
				out = append(out, p)
			}
		}
	}
	return out
}

func hasPropagation(opts []string) bool {
	for _, o := range opts {
		switch o {
		case "private", "rprivate", "shared", "rshared", "slave", "rslave":
			return true
		}
	}
	return false
}
