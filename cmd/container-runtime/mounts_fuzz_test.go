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
// mount of a clean absolute host path or a tmpfs without a source, at an
// absolute destination.
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
	default:
		t.Fatalf("%s %q: type %q", flag, v, m.Type)
	}
	if !strings.HasPrefix(m.Destination, "/") {
		t.Fatalf("%s %q: destination %q is not absolute", flag, v, m.Destination)
	}
}

// formatVolume writes m back in the -v syntax.
func formatVolume(m api.Mount) string {
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

// FuzzParseVolume checks -v SRC:DST[:OPTIONS] (seed corpus in
// testdata/fuzz/FuzzParseVolume): what parses is a bind mount (see
// checkParsedMount) whose options are neither empty nor ro/rw (those set
// ReadOnly), and it prints back to a -v value parsing to the same mount.
func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"/a:/b", "/a:/b:ro", "./data:/data:rw,z", "/a:/b:ro,,rshared", "a:/b", "/a:b", "/a",
		"/a:/b:c:d", ":", "/:/", "/a/../..:/b/../c:ro,ro,rw", "..:/x", "/a:/b:nosuid,nodev,exec"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := parseVolume(v)
		if err != nil {
			return
		}
		checkParsedMount(t, "-v", v, m)
		if m.Type != "bind" {
			t.Fatalf("-v %q: type %q", v, m.Type)
		}
		for _, o := range m.Options {
			if o == "" || o == "ro" || o == "rw" || strings.ContainsAny(o, ",:") {
				t.Fatalf("-v %q: option %q in %q", v, o, m.Options)
			}
		}
		again, err := parseVolume(formatVolume(m))
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("-v %q = %+v, printed %q, which parses to %+v, %v", v, m, formatVolume(m), again, err)
		}
	})
}

// formatMountFlag writes m back in the --mount syntax, every option as a
// bind-propagation field (which carries any value through unchanged).
func formatMountFlag(tb testing.TB, m api.Mount) string {
	fields := []string{"type=" + m.Type, "target=" + m.Destination}
	if m.Source != "" {
		fields = append(fields, "source="+m.Source)
	}
	if m.ReadOnly {
		fields = append(fields, "readonly=true")
	}
	for _, o := range m.Options {
		fields = append(fields, "bind-propagation="+o)
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
// (see checkParsedMount), and the mount prints back to a --mount value parsing to the same mount.
func FuzzParseMountFlag(f *testing.F) {
	for _, s := range []string{"type=bind,source=/a,target=/b", "type=bind,src=./x,dst=/y,readonly",
		"type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1777", "type=bind,source=/a,target=/b,bind-propagation=rshared",
		"TYPE=bind,SOURCE=/a,TARGET=/b,RO=false", `type=bind,"source=/a,b",target=/c`, "type=volume,source=v,target=/d",
		"type=tmpfs,source=x,target=/t", "type=bind,target=/b", "type=tmpfs,target=t", "type=tmpfs,target=/t,tmpfs-size=-1",
		"type=tmpfs,target=/t,tmpfs-mode=8", "type=bind,source=/a,target=/b,readonly=maybe", `"unterminated`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := parseMountFlag(v)
		if err != nil {
			return
		}
		checkParsedMount(t, "--mount", v, m)
		again, err := parseMountFlag(formatMountFlag(t, m))
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("--mount %q = %+v, printed %q, which parses to %+v, %v", v, m, formatMountFlag(t, m), again, err)
		}
	})
}
