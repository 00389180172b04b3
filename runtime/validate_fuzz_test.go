package runtime

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/container-runtime/container-runtime/errdefs"
)

// jsonPosition is the "config.json:LINE:COL:" prefix of a decoding error.
var jsonPosition = regexp.MustCompile(`^config\.json:(\d+):(\d+): `)

// FuzzValidate decodes arbitrary config.json content as LoadBundle does
// and validates what decodes (seed corpus: DefaultSpec, the bad-json
// fixtures and testdata/fuzz/FuzzValidate). Nothing may panic; every
// error is an ErrInvalidArgument, and a decoding error's line and column
// lie inside the content. A spec that validates has what create relies
// on without checking again: a version 1.x, a process with arguments and
// an absolute cwd, absolute mount destinations, bind sources, hook paths
// and device paths, and no namespace type twice.
func FuzzValidate(f *testing.F) {
	def, err := json.Marshal(DefaultSpec())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	fixtures, err := filepath.Glob("testdata/bad-json/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range fixtures {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	bundle := f.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec specs.Spec
		if err := json.Unmarshal(data, &spec); err != nil {
			jerr := jsonError("config.json", data, err)
			if !errors.Is(jerr, errdefs.ErrInvalidArgument) {
				t.Fatalf("decoding error %v is not ErrInvalidArgument", jerr)
			}
			if m := jsonPosition.FindStringSubmatch(jerr.Error()); m != nil {
				line, _ := strconv.Atoi(m[1])
				col, _ := strconv.Atoi(m[2])
				if line < 1 || line > strings.Count(string(data), "\n")+1 || col < 1 || col > len(data)+1 {
					t.Fatalf("decoding error at %d:%d in %d bytes: %v", line, col, len(data), jerr)
				}
			}
			return
		}
		err := Validate(&spec, bundle)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("Validate: %v is not ErrInvalidArgument", err)
			}
			return
		}
		assertValidated(t, &spec)
	})
}

// assertValidated fails unless spec has what Validate promises.
func assertValidated(t *testing.T, spec *specs.Spec) {
	t.Helper()
	if !strings.HasPrefix(spec.Version, "1") || spec.Root == nil || spec.Root.Path == "" {
		t.Fatalf("validated: version %q, root %+v", spec.Version, spec.Root)
	}
	p := spec.Process
	if p == nil || len(p.Args) == 0 || !filepath.IsAbs(p.Cwd) {
		t.Fatalf("validated a process without args or an absolute cwd: %+v", p)
	}
	for _, m := range spec.Mounts {
		bind := m.Type == "bind" || slices.Contains(m.Options, "bind") || slices.Contains(m.Options, "rbind")
		if !filepath.IsAbs(m.Destination) || bind && m.Source == "" {
			t.Fatalf("validated mount %+v", m)
		}
	}
	if h := spec.Hooks; h != nil {
		for _, hook := range slices.Concat(h.Prestart, h.CreateRuntime, h.CreateContainer, h.StartContainer, h.Poststart, h.Poststop) {
			if !filepath.IsAbs(hook.Path) || hook.Timeout != nil && *hook.Timeout <= 0 {
				t.Fatalf("validated hook %+v", hook)
			}
		}
	}
	if l := spec.Linux; l != nil {
		seen := map[specs.LinuxNamespaceType]bool{}
		for _, ns := range l.Namespaces {
			if seen[ns.Type] {
				t.Fatalf("validated namespace %q twice", ns.Type)
			}
			seen[ns.Type] = true
		}
		for _, d := range l.Devices {
			if !filepath.IsAbs(d.Path) {
				t.Fatalf("validated device %+v", d)
			}
		}
	}
}
