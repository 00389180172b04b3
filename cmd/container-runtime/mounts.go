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

// parseVolume parses -v SRC:DST[:OPTIONS]; SRC is a host path (named
// volumes are not supported).
func parseVolume(v string) (api.Mount, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return api.Mount{}, fmt.Errorf("invalid -v %q: want SRC:DST[:ro]", v)
	}
	src, dst := parts[0], parts[1]
	if !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, ".") {
		return api.Mount{}, fmt.Errorf("invalid -v %q: the source must be a host path (named volumes are not supported)", v)
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return api.Mount{}, fmt.Errorf("invalid -v %q: %w", v, err)
	}
	if !strings.HasPrefix(dst, "/") {
		return api.Mount{}, fmt.Errorf("invalid -v %q: the destination must be an absolute path", v)
	}
	m := api.Mount{Type: "bind", Source: abs, Destination: dst}
	if len(parts) == 3 {
		for o := range strings.SplitSeq(parts[2], ",") {
			switch o {
			case "ro":
				m.ReadOnly = true
			case "rw", "":
			default:
				m.Options = append(m.Options, o)
			}
		}
	}
	return m, nil
}

// parseMountFlag parses --mount's comma-separated KEY=VALUE fields.
func parseMountFlag(v string) (api.Mount, error) {
	fields, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		return api.Mount{}, fmt.Errorf("invalid --mount %q: %w", v, err)
	}
	var m api.Mount
	for _, f := range fields {
		k, val, hasVal := strings.Cut(f, "=")
		switch strings.ToLower(k) {
		case "type":
			m.Type = val
		case "source", "src":
			m.Source = val
		case "target", "destination", "dst":
			m.Destination = val
		case "readonly", "ro":
			b := true
			if hasVal {
				if b, err = strconv.ParseBool(val); err != nil {
					return m, fmt.Errorf("invalid --mount %q: readonly=%s is not a boolean", v, val)
				}
			}
			m.ReadOnly = b
		case "bind-propagation":
			m.Options = append(m.Options, val)
		case "tmpfs-size":
			n, err := units.RAMInBytes(val)
			if err != nil {
				return m, fmt.Errorf("invalid --mount %q: tmpfs-size %q is not a size", v, val)
			}
			m.Options = append(m.Options, fmt.Sprintf("size=%d", n))
		case "tmpfs-mode":
			if _, err := strconv.ParseUint(val, 8, 32); err != nil {
				return m, fmt.Errorf("invalid --mount %q: tmpfs-mode %q is not an octal mode", v, val)
			}
			m.Options = append(m.Options, "mode="+val)
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
	default:
		return m, fmt.Errorf("invalid --mount %q: type must be bind or tmpfs", v)
	}
	if !strings.HasPrefix(m.Destination, "/") {
		return m, fmt.Errorf("invalid --mount %q: target must be an absolute path", v)
	}
	return m, nil
}
