package main

import (
	"encoding/csv"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// checkParsedMount fails unless m is what both parsers promise: a bind
// mount of a clean absolute host path, a tmpfs without a source or a
// volume (its name, if any, is the daemon's to check), at an absolute
// destination.
func checkParsedMount(t *testing.T, flag, v string, m api.Mount) {
	t.Helper()
	switch m.Type {
	case "bind":
		if !filepath.IsAbs(m.Source) || filepath.Clean(m.Source) != m.Source {
			t.Fatalf("%s %q: bind source %q is not a clean absolute path", flag, v, m.Source)
		}
	case "tmpfs":
		if m.Source != "" {
			t.Fatalf("%s %q: tmpfs with source %q", flag, v, m.Source)
		}
	case "volume":
		for _, o := range m.Options {
			if o != "nocopy" {
				t.Fatalf("%s %q: volume option %q", flag, v, o)
			}
		}
	default:
		t.Fatalf("%s %q: type %q", flag, v, m.Type)
	}
	if !strings.HasPrefix(m.Destination, "/") {
		t.Fatalf("%s %q: destination %q is not absolute", flag, v, m.Destination)
	}
}

// formatVolume writes m back in the -v syntax.
func formatVolume(m api.Mount) string {
	if m.Type == "volume" && m.Source == "" {
		return m.Destination
	}
	s := m.Source + ":" + m.Destination
	opts := m.Options
	if m.ReadOnly {
		opts = append([]string{"ro"}, opts...)
	}
	if len(opts) > 0 {
		s += ":" + strings.Join(opts, ",")
	}
	return s
}

// FuzzParseVolume checks -v SRC:DST[:OPTIONS] and -v DST (seed corpus in
// testdata/fuzz/FuzzParseVolume): what parses is a bind mount (see
// checkParsedMount) whose options are at most one label (z, Z) and one
// propagation mode (ro and rw set ReadOnly; anything else is an error),
// or a volume whose name is not a path, and it prints back to a -v value
// parsing to the same mount.
func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"/a:/b", "/a:/b:ro", "./data:/data:rw,z", "/a:/b:ro,,rshared", "a:/b", "/a:b", "/a",
		"/a:/b:c:d", ":", "/:/", "/a/../..:/b/../c:ro,ro,rw", "..:/x", "/a:/b:nosuid,nodev,exec",
		"/a:/b:rshared,z,ro,cached", "/a:/b:shared,slave", "/a:/b:z,Z", "/a:/b:nocopy", "/a:/b:ro,rw",
		"data:/b:ro,nocopy", "data:/b:nocopy,nocopy", ":/b", "a/../b:/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := parseVolume(v)
		if err != nil {
			return
		}
		checkParsedMount(t, "-v", v, m)
		if m.Type == "volume" {
			if strings.HasPrefix(m.Source, "/") || strings.HasPrefix(m.Source, ".") || strings.Contains(m.Source, ":") {
				t.Fatalf("-v %q: volume name %q is a path", v, m.Source)
			}
			if again, err := parseVolume(formatVolume(m)); err != nil || !reflect.DeepEqual(again, m) {
				t.Fatalf("-v %q = %+v, printed %q, which parses to %+v, %v", v, m, formatVolume(m), again, err)
			}
			return
		}
		if m.Type != "bind" {
			t.Fatalf("-v %q: type %q", v, m.Type)
		}
		labels, propagations := 0, 0
		for _, o := range m.Options {
			switch {
			case o == "z" || o == "Z":
				labels++
			case isPropagation(o):
				propagations++
			default:
				t.Fatalf("-v %q: option %q in %q", v, o, m.Options)
			}
		}
		if labels > 1 || propagations > 1 {
			t.Fatalf("-v %q: options %q", v, m.Options)
		}
		again, err := parseVolume(formatVolume(m))
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("-v %q = %+v, printed %q, which parses to %+v, %v", v, m, formatVolume(m), again, err)
		}
	})
}

// formatMountFlag writes m back in the --mount syntax: a tmpfs's options
// as tmpfs-size and tmpfs-mode fields, a bind mount's as bind-propagation.
func formatMountFlag(tb testing.TB, m api.Mount) string {
	fields := []string{"type=" + m.Type, "target=" + m.Destination}
	if m.Source != "" {
		fields = append(fields, "source="+m.Source)
	}
	if m.ReadOnly {
		fields = append(fields, "readonly=true")
	}
	for _, o := range m.Options {
		switch k, v, _ := strings.Cut(o, "="); {
		case m.Type == "bind":
			fields = append(fields, "bind-propagation="+o)
		case m.Type == "volume" && o == "nocopy":
			fields = append(fields, "volume-nocopy")
		case k == "size" || k == "mode":
			fields = append(fields, "tmpfs-"+k+"="+v)
		default:
			tb.Fatalf("option %q of %+v has no --mount field", o, m)
		}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.Write(fields); err != nil {
		tb.Fatal(err)
	}
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// FuzzParseMountFlag checks --mount's KEY=VALUE fields (seed corpus in
// testdata/fuzz/FuzzParseMountFlag): what parses is a bind or tmpfs mount
// (see checkParsedMount) whose options are one propagation mode for a
// bind mount, size= and mode= for a tmpfs (an unknown key or value is an
// error, never passed on), and the mount prints back to a --mount value
// parsing to the same mount.
func FuzzParseMountFlag(f *testing.F) {
	for _, s := range []string{"type=bind,source=/a,target=/b", "type=bind,src=./x,dst=/y,readonly",
		"type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1777", "type=bind,source=/a,target=/b,bind-propagation=rshared",
		"TYPE=bind,SOURCE=/a,TARGET=/b,RO=false", `type=bind,"source=/a,b",target=/c`, "type=volume,source=v,target=/d",
		"type=tmpfs,source=x,target=/t", "type=bind,target=/b", "type=tmpfs,target=t", "type=tmpfs,target=/t,tmpfs-size=-1",
		"type=tmpfs,target=/t,tmpfs-mode=8", "type=bind,source=/a,target=/b,readonly=maybe", `"unterminated`, "",
		"type=bind,source=/a,target=/b,bind-propagation=ro", "type=bind,source=/a,target=/b,bind-propagation=rslave,bind-propagation=private",
		"type=tmpfs,target=/t,bind-propagation=shared", "type=bind,source=/a,target=/b,tmpfs-size=1m", "type=bind,source=/a,target=/b,bogus=1",
		"type=bind,source=/a,target=/b,bind-nonrecursive", "type=bind,source=/a,target=/b,volume-nocopy", "type=bind,source=/a,target=/b,consistency=cached",
		"type=volume,target=/d,volume-nocopy", "type=volume,source=../x,target=/d,readonly"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := parseMountFlag(v)
		if err != nil {
			return
		}
		checkParsedMount(t, "--mount", v, m)
		for _, o := range m.Options {
			k, _, _ := strings.Cut(o, "=")
			if m.Type == "bind" && (!isPropagation(o) || len(m.Options) > 1) || m.Type == "tmpfs" && k != "size" && k != "mode" ||
				m.Type == "volume" && (o != "nocopy" || len(m.Options) > 1) {
				t.Fatalf("--mount %q: option %q in %q", v, o, m.Options)
			}
		}
		again, err := parseMountFlag(formatMountFlag(t, m))
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("--mount %q = %+v, printed %q, which parses to %+v, %v", v, m, formatMountFlag(t, m), again, err)
		}
	})
}
