package main

import (
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/container-runtime/container-runtime/api"
)

// parseMounts parses -v, --mount and --tmpfs.
func parseMounts(volumes, mounts, tmpfs []string) ([]api.Mount, error) {
	var out []api.Mount
	for _, v := range volumes {
		m, err := parseVolume(v)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, v := range mounts {
		m, err := parseMountFlag(v)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, v := range tmpfs {
		dst, opts, _ := strings.Cut(v, ":")
		if !strings.HasPrefix(dst, "/") {
			return nil, fmt.Errorf("invalid --tmpfs %q: the destination must be an absolute path", v)
		}
		m := api.Mount{Type: "tmpfs", Destination: dst}
		if opts != "" {
			m.Options = strings.Split(opts, ",")
		}
		out = append(out, m)
	}
	return out, nil
}

// parseVolume parses -v SRC:DST[:OPTIONS] and -v DST. As Docker reads
// it, a SRC that is a path (/..., ./...) is a bind mount, another SRC is
// a named volume's name, and DST alone is a new anonymous volume.
func parseVolume(v string) (api.Mount, error) {
	parts := strings.Split(v, ":")
	if len(parts) == 1 && strings.HasPrefix(v, "/") {
		return api.Mount{Type: "volume", Destination: v}, nil
	}
	if len(parts) < 2 || len(parts) > 3 {
		return api.Mount{}, fmt.Errorf("invalid -v %q: want SRC:DST[:OPTIONS] or an absolute DST", v)
	}
	src, dst := parts[0], parts[1]
	if src == "" {
		return api.Mount{}, fmt.Errorf("invalid -v %q: the source is empty", v)
	}
	if !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, ".") {
		return namedVolume(v, parts)
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return api.Mount{}, fmt.Errorf("invalid -v %q: %w", v, err)
	}
	if !strings.HasPrefix(dst, "/") {
		return api.Mount{}, fmt.Errorf("invalid -v %q: the destination must be an absolute path", v)
	}
	m := api.Mount{Type: "bind", Source: abs, Destination: dst}
	if len(parts) == 3 && parts[2] != "" {
		if err := volumeMode(&m, parts[2]); err != nil {
			return api.Mount{}, fmt.Errorf("invalid -v %q: %w", v, err)
		}
	}
	return m, nil
}

// namedVolume parses -v NAME:DST[:OPTIONS]: the options of a volume are
// ro or rw and nocopy (z, Z and a consistency mean nothing here and are
// dropped, as for a bind mount).
func namedVolume(v string, parts []string) (api.Mount, error) {
	m := api.Mount{Type: "volume", Source: parts[0], Destination: parts[1]}
	if !strings.HasPrefix(m.Destination, "/") {
		return m, fmt.Errorf("invalid -v %q: the destination must be an absolute path", v)
	}
	if len(parts) < 3 || parts[2] == "" {
		return m, nil
	}
	given := map[string]string{}
	for _, o := range strings.Split(parts[2], ",") {
		kind := ""
		switch o {
		case "ro", "rw":
			kind = "access mode"
			m.ReadOnly = o == "ro"
		case "nocopy":
			kind = "nocopy"
			m.Options = append(m.Options, o)
		case "z", "Z":
			kind = "label"
		case "consistent", "cached", "delegated":
			kind = "consistency"
		default:
			return m, fmt.Errorf("invalid -v %q: option %q is not valid for a volume: want ro or rw, nocopy", v, o)
		}
		if prev, ok := given[kind]; ok {
			return m, fmt.Errorf("invalid -v %q: %s and %s conflict: one %s only", v, prev, o, kind)
		}
		given[kind] = o
	}
	return m, nil
}

// volumeMode applies -v's OPTIONS to m as Docker checks them: a comma
// list of at most one access mode (ro, rw), one SELinux label (z, Z,
// passed on; they mean nothing without SELinux), one propagation mode and
// one consistency (consistent, cached, delegated: Docker Desktop's,
// nothing on Linux, dropped). nocopy is a named volume's, and those are
// not supported.
func volumeMode(m *api.Mount, mode string) error {
	given := map[string]string{} // kind -> the option of that kind
	for _, o := range strings.Split(mode, ",") {
		var kind string
		switch o {
		case "ro", "rw":
			kind = "access mode"
		case "z", "Z":
			kind = "label"
		case "consistent", "cached", "delegated":
			kind = "consistency"
		case "nocopy":
			return fmt.Errorf("option nocopy applies to volumes, not to a bind mount of a host path")
		default:
			if !isPropagation(o) {
				return fmt.Errorf("invalid option %q in %q: want ro or rw, z or Z, a propagation mode (%s), or a consistency", o, mode, propagationModes)
			}
			kind = "propagation mode"
		}
		if prev, ok := given[kind]; ok {
			return fmt.Errorf("invalid options %q: %s and %s conflict: one %s only", mode, prev, o, kind)
		}
		given[kind] = o
		switch kind {
		case "access mode":
			m.ReadOnly = o == "ro"
		case "label", "propagation mode":
			m.Options = append(m.Options, o)
		}
	}
	return nil
}

// propagationModes are the bind propagations Docker accepts, as its
// messages list them.
const propagationModes = "private, rprivate, shared, rshared, slave, rslave"

// isPropagation tells whether o is one of propagationModes.
func isPropagation(o string) bool {
	switch o {
	case "private", "rprivate", "shared", "rshared", "slave", "rslave":
		return true
	}
	return false
}

// parseMountFlag parses --mount's comma-separated KEY=VALUE fields as
// Docker does: an unknown key, a value a key does not take, a key of
// another mount type (bind-* on a tmpfs) or a key given twice is an
// error naming it.
func parseMountFlag(v string) (api.Mount, error) {
	fields, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		return api.Mount{}, fmt.Errorf("invalid --mount %q: %w", v, err)
	}
	var m api.Mount
	seen := map[string]bool{}
	var typed []string // the fields that belong to one type: "bind-propagation"
	for _, f := range fields {
		k, val, hasVal := strings.Cut(f, "=")
		key := strings.ToLower(k)
		canon := key
		switch key {
		case "src":
			canon = "source"
		case "destination", "dst":
			canon = "target"
		case "ro":
			canon = "readonly"
		}
		if seen[canon] {
			return m, fmt.Errorf("invalid --mount %q: field %q given twice", v, k)
		}
		seen[canon] = true
		if !hasVal && canon != "readonly" && key != "bind-nonrecursive" && !strings.HasPrefix(key, "volume-") {
			return m, fmt.Errorf("invalid --mount %q: field %q must be a KEY=VALUE pair", v, k)
		}
		if kind, _, ok := strings.Cut(key, "-"); ok && (kind == "bind" || kind == "tmpfs" || kind == "volume") {
			typed = append(typed, key)
		}
		switch canon {
		case "type":
			m.Type = val
		case "source":
			m.Source = val
		case "target":
			m.Destination = val
		case "readonly":
			if m.ReadOnly, err = mountBool(hasVal, val); err != nil {
				return m, fmt.Errorf("invalid --mount %q: %s=%s is not a boolean", v, k, val)
			}
		case "consistency":
			// Docker Desktop's file sharing; nothing on Linux.
			switch val {
			case "default", "consistent", "cached", "delegated":
			default:
				return m, fmt.Errorf("invalid --mount %q: consistency %q: want default, consistent, cached or delegated", v, val)
			}
		case "bind-propagation":
			if !isPropagation(val) {
				return m, fmt.Errorf("invalid --mount %q: bind-propagation %q: want one of %s", v, val, propagationModes)
			}
			m.Options = append(m.Options, val)
		case "bind-nonrecursive":
			nonrecursive, err := mountBool(hasVal, val)
			if err != nil {
				return m, fmt.Errorf("invalid --mount %q: bind-nonrecursive=%s is not a boolean", v, val)
			}
			if nonrecursive {
				return m, fmt.Errorf("invalid --mount %q: bind-nonrecursive is not supported: bind mounts here are recursive", v)
			}
		case "bind-recursive":
			if val != "enabled" {
				return m, fmt.Errorf("invalid --mount %q: bind-recursive=%s is not supported: bind mounts here are recursive (enabled)", v, val)
			}
		case "tmpfs-size":
			n, err := units.RAMInBytes(val)
			if err != nil || n <= 0 {
				return m, fmt.Errorf("invalid --mount %q: tmpfs-size %q is not a size", v, val)
			}
			m.Options = append(m.Options, fmt.Sprintf("size=%d", n))
		case "tmpfs-mode":
			if _, err := strconv.ParseUint(val, 8, 32); err != nil {
				return m, fmt.Errorf("invalid --mount %q: tmpfs-mode %q is not an octal mode", v, val)
			}
			m.Options = append(m.Options, "mode="+val)
		case "volume-nocopy":
			nocopy, err := mountBool(hasVal, val)
			if err != nil {
				return m, fmt.Errorf("invalid --mount %q: volume-nocopy=%s is not a boolean", v, val)
			}
			if nocopy {
				m.Options = append(m.Options, "nocopy")
			}
		case "volume-driver":
			if val != "local" {
				return m, fmt.Errorf("invalid --mount %q: volume-driver %q is not supported: only local", v, val)
			}
		case "volume-label", "volume-opt", "volume-subpath":
			return m, fmt.Errorf("invalid --mount %q: field %q is not supported (make the volume with volume create --label first)", v, k)
		default:
			return m, fmt.Errorf("invalid --mount %q: unknown field %q", v, k)
		}
	}
	switch m.Type {
	case "bind":
		if m.Source == "" {
			return m, fmt.Errorf("invalid --mount %q: a bind mount needs source=", v)
		}
		if m.Source, err = filepath.Abs(m.Source); err != nil {
			return m, fmt.Errorf("invalid --mount %q: %w", v, err)
		}
	case "tmpfs":
		if m.Source != "" {
			return m, fmt.Errorf("invalid --mount %q: a tmpfs has no source", v)
		}
	case "volume":
		// source= names the volume; without it, a new anonymous one.
	default:
		return m, fmt.Errorf("invalid --mount %q: type must be bind, volume or tmpfs", v)
	}
	for _, key := range typed {
		if !strings.HasPrefix(key, m.Type+"-") {
			return m, fmt.Errorf("invalid --mount %q: field %q does not apply to a %s mount", v, key, m.Type)
		}
	}
	if !strings.HasPrefix(m.Destination, "/") {
		return m, fmt.Errorf("invalid --mount %q: target must be an absolute path", v)
	}
	return m, nil
}

// mountBool is a boolean field's value: true when given without one.
func mountBool(hasVal bool, val string) (bool, error) {
	if !hasVal {
		return true, nil
	}
	return strconv.ParseBool(val)
}
