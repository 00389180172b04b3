package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// userMounts turns -v, --mount and --tmpfs requests into OCI mounts. A
// missing bind source directory is created, as Docker's -v does, once
// the request is known to be valid. Every option is checked: one this
// engine would not apply (or would apply otherwise than asked) is
// refused rather than dropped, since a mount option is often what keeps
// a container from writing to or through a host path.
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
		switch m.Type {
		case "bind", "":
			opts, err := bindOptions(m)
			if err != nil {
				return nil, err
			}
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
			out = append(out, specs.Mount{Destination: dest, Type: "bind", Source: filepath.Clean(m.Source), Options: opts})
		case "tmpfs":
			opts, err := tmpfsOptions(m)
			if err != nil {
				return nil, err
			}
			out = append(out, specs.Mount{Destination: dest, Type: "tmpfs", Source: "tmpfs", Options: opts})
		default:
			return nil, fmt.Errorf("mount type %q is not supported (bind, tmpfs): %w", m.Type, errdefs.ErrInvalidArgument)
		}
	}
	return out, nil
}

// bindOptions checks a bind mount's options as Docker does for -v: at
// most one of ro and rw, one of z and Z (SELinux relabeling, which means
// nothing here), one propagation mode (rprivate by default); "rbind" is
// what every bind mount here is. It returns the OCI options: rbind, the
// propagation, and ro when read-only.
func bindOptions(m api.Mount) ([]string, error) {
	var access, label, propagation string
	for _, o := range splitOptions(m.Options) {
		var slot *string
		switch {
		case o == "ro" || o == "rw":
			slot = &access
		case o == "z" || o == "Z":
			slot = &label
		case hasPropagation([]string{o}):
			slot = &propagation
		case o == "rbind":
			continue
		default:
			return nil, fmt.Errorf("bind mount at %s: option %q is not valid (ro or rw; z or Z; one of private, rprivate, shared, rshared, slave, rslave): %w",
				m.Destination, o, errdefs.ErrInvalidArgument)
		}
		if err := setOnce(m, slot, o); err != nil {
			return nil, err
		}
	}
	if m.ReadOnly && access == "rw" {
		return nil, fmt.Errorf("bind mount at %s: read-only, and option \"rw\": %w", m.Destination, errdefs.ErrInvalidArgument)
	}
	if propagation == "" {
		propagation = "rprivate"
	}
	opts := []string{"rbind", propagation}
	if m.ReadOnly || access == "ro" {
		opts = append(opts, "ro")
	}
	return opts, nil
}

// tmpfsOptions checks a tmpfs's options: mount flags the runtime applies
// to it (each at most once, and not both a flag and its opposite) and
// tmpfs's own KEY=VALUE settings. Without any, a tmpfs is noexec, nosuid
// and nodev; read-only adds ro.
func tmpfsOptions(m api.Mount) ([]string, error) {
	var opts []string
	set := map[string]string{} // flag or setting key -> the option that set it
	for _, o := range splitOptions(m.Options) {
		key := o
		if k, v, ok := strings.Cut(o, "="); ok {
			if !tmpfsSetting(k) || v == "" {
				return nil, fmt.Errorf("tmpfs at %s: option %q is not valid (settings: size, mode, uid, gid, nr_inodes, nr_blocks): %w",
					m.Destination, o, errdefs.ErrInvalidArgument)
			}
			key = k
		} else if key = tmpfsFlag(o); key == "" {
			return nil, fmt.Errorf("tmpfs at %s: option %q is not valid (a mount flag such as ro, noexec, nosuid, nodev, noatime, or a setting such as size=64m): %w",
				m.Destination, o, errdefs.ErrInvalidArgument)
		}
		if prev, ok := set[key]; ok {
			return nil, fmt.Errorf("tmpfs at %s: options %q and %q conflict: %w", m.Destination, prev, o, errdefs.ErrInvalidArgument)
		}
		set[key] = o
		opts = append(opts, o)
	}
	if len(opts) == 0 {
		opts = []string{"noexec", "nosuid", "nodev"}
	}
	if m.ReadOnly {
		if set["rdonly"] == "rw" {
			return nil, fmt.Errorf("tmpfs at %s: read-only, and option \"rw\": %w", m.Destination, errdefs.ErrInvalidArgument)
		}
		if set["rdonly"] == "" {
			opts = append(opts, "ro")
		}
	}
	return opts, nil
}

// tmpfsFlag returns the mount flag a tmpfs option sets or clears (the
// same name for both: "nosuid" and "suid" are "suid"), or "" when the
// option is not one the runtime applies to a tmpfs.
func tmpfsFlag(o string) string {
	switch o {
	case "ro", "rw":
		return "rdonly"
	case "suid", "nosuid", "dev", "nodev", "exec", "noexec", "atime", "noatime",
		"diratime", "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime":
		return strings.TrimPrefix(o, "no")
	case "sync", "async":
		return "sync"
	case "dirsync":
		return o
	}
	if hasPropagation([]string{o}) {
		return "propagation"
	}
	return ""
}

// tmpfsSetting tells whether key is one of tmpfs's settings (tmpfs(5)).
func tmpfsSetting(key string) bool {
	switch key {
	case "size", "mode", "uid", "gid", "nr_inodes", "nr_blocks":
		return true
	}
	return false
}

// setOnce stores option o of m in *slot, refusing a second option of the
// same kind (ro,ro or ro,rw: Docker's "invalid mode").
func setOnce(m api.Mount, slot *string, o string) error {
	if *slot == "" {
		*slot = o
		return nil
	}
	if *slot == o {
		return fmt.Errorf("bind mount at %s: option %q given twice: %w", m.Destination, o, errdefs.ErrInvalidArgument)
	}
	return fmt.Errorf("bind mount at %s: options %q and %q conflict: %w", m.Destination, *slot, o, errdefs.ErrInvalidArgument)
}

// splitOptions splits comma lists and drops the empty entries and the
// white space around each (API clients may send "a, b").
func splitOptions(in []string) []string {
	var out []string
	for _, o := range in {
		for p := range strings.SplitSeq(o, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// hasPropagation tells whether opts hold one of the six propagation
// modes Docker accepts.
func hasPropagation(opts []string) bool {
	for _, o := range opts {
		switch o {
		case "private", "rprivate", "shared", "rshared", "slave", "rslave":
			return true
		}
	}
	return false
}
