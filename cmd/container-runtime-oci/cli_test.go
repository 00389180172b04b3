package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"

	"github.com/container-runtime/container-runtime/internal/version"
	"github.com/container-runtime/container-runtime/runtime"
)

// buildBinary compiles the command into a temporary directory.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), progName)
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

func runBinary(t testing.TB, bin, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %s: %v", bin, err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// assertFailed checks a failed run: exit 1 and one error line naming
// every want.
func assertFailed(t testing.TB, r result, want ...string) {
	t.Helper()
	if r.code != 1 {
		t.Errorf("exit code %d, want 1 (stderr %q)", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, progName+": ") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %q is not one %q line", r.stderr, progName+": ...")
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not contain %q", r.stderr, w)
		}
	}
}

func TestBinary(t *testing.T) {
	bin := buildBinary(t)

	t.Run("version", func(t *testing.T) {
		for _, flag := range []string{"--version", "-v"} {
			r := runBinary(t, bin, "", flag)
			if r.code != 0 {
				t.Fatalf("%s: exit %d: %s", flag, r.code, r.stderr)
			}
			// go-runc's parseVersion: three lines; the first split on
			// "version " in two, the others on ": ".
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if len(lines) != 3 {
				t.Fatalf("%s printed %d lines, want 3: %q", flag, len(lines), r.stdout)
			}
			if parts := strings.Split(lines[0], "version "); len(parts) != 2 || parts[0] != progName+" " || parts[1] != version.Version {
				t.Errorf("first line %q, want %q", lines[0], progName+" version "+version.Version)
			}
			if parts := strings.Split(lines[1], ": "); len(parts) != 2 || parts[0] != "commit" {
				t.Errorf("second line %q, want commit: X", lines[1])
			}
			if lines[2] != "spec: "+specs.Version {
				t.Errorf("third line %q, want spec: %s", lines[2], specs.Version)
			}
		}
	})

	t.Run("spec writes a loadable config and refuses to overwrite", func(t *testing.T) {
		bundle := t.TempDir()
		if r := runBinary(t, bin, bundle, "spec"); r.code != 0 {
			t.Fatalf("spec: exit %d: %s", r.code, r.stderr)
		}
		spec, err := runtime.LoadBundle(bundle)
		if err != nil {
			t.Fatalf("LoadBundle of the written spec: %v", err)
		}
		if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := runtime.Validate(spec, bundle); err != nil {
			t.Fatalf("Validate of the written spec: %v", err)
		}
		before, err := os.ReadFile(filepath.Join(bundle, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		other := t.TempDir()
		assertFailed(t, runBinary(t, bin, other, "spec", "--bundle", bundle), "config.json exists")
		after, err := os.ReadFile(filepath.Join(bundle, "config.json"))
		if err != nil || !bytes.Equal(before, after) {
			t.Fatalf("config.json changed by the refused spec (err %v)", err)
		}
	})

	t.Run("create with a bad bundle", func(t *testing.T) {
		cases := []struct {
			name   string
			config string // "" for no config.json
			want   []string
		}{
			{"no config.json", "", []string{"config.json not found"}},
			{"bad JSON", "{\n\"ociVersion\": \"1.0.0\",,\n}", []string{"config.json:2:"}},
			{"ociVersion 2", `{"ociVersion": "2.0.0"}`, []string{"ociVersion", "2.0.0"}},
			{"no rootfs", `{"ociVersion": "1.0.0", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "/"}}`,
				[]string{"root.path"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				bundle, state := t.TempDir(), filepath.Join(t.TempDir(), "state")
				if tc.config != "" {
					if err := os.WriteFile(filepath.Join(bundle, "config.json"), []byte(tc.config), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				r := runBinary(t, bin, "", "--root", state, "create", "--bundle", bundle, "ctr")
				assertFailed(t, r, tc.want...)
				if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("--root %s was touched (stat: %v)", state, err)
				}
			})
		}
	})

	t.Run("bad ids are rejected", func(t *testing.T) {
		bundle := t.TempDir()
		if r := runBinary(t, bin, bundle, "spec"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		state := filepath.Join(t.TempDir(), "state")
		for _, args := range [][]string{
			{"create", "a/b"}, {"create", ".."}, {"run", "x y"}, {"start", "../etc"}, {"delete", "."},
			{"kill", "a/b", "KILL"}, {"state", ".."}, {"exec", "a/b", "true"},
		} {
			r := runBinary(t, bin, bundle, append([]string{"--root", state}, args...)...)
			assertFailed(t, r, "container id")
		}
		if _, err := os.Stat(state); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("--root %s was touched (stat: %v)", state, err)
		}
	})

	t.Run("json log gets the error", func(t *testing.T) {
		dir := t.TempDir()
		logPath := filepath.Join(dir, "log.json")
		r := runBinary(t, bin, dir, "--log", logPath, "--log-format", "json", "--root", filepath.Join(dir, "state"),
			"create", "--bundle", dir, "ctr")
		assertFailed(t, r, "config.json not found")
		assertLastJSONError(t, logPath, "config.json not found")
	})

	t.Run("features prints valid JSON", func(t *testing.T) {
		r := runBinary(t, bin, "", "features")
		if r.code != 0 {
			t.Fatalf("features: exit %d: %s", r.code, r.stderr)
		}
		var f features.Features
		if err := json.Unmarshal([]byte(r.stdout), &f); err != nil {
			t.Fatalf("features output is not JSON: %v\n%s", err, r.stdout)
		}
		if f.OCIVersionMax != specs.Version || f.Linux == nil || len(f.Linux.Namespaces) == 0 {
			t.Fatalf("features incomplete: %+v", f)
		}
		if f.Annotations["org.container-runtime.version"] != version.Version {
			t.Errorf("annotations %v lack our version", f.Annotations)
		}
	})

	t.Run("unsupported commands say so", func(t *testing.T) {
		for _, args := range [][]string{
			{"checkpoint", "--image-path", "/tmp/x", "ctr"}, {"restore", "ctr"}, {"events", "--stats", "ctr"},
			{"spec", "--rootless"},
		} {
			assertFailed(t, runBinary(t, bin, t.TempDir(), args...), "not supported")
		}
	})
}

// assertLastJSONError checks that the last "error" line of a JSON log
// holds want, reading it as containerd does (level, msg and an RFC 3339
// time).
func assertLastJSONError(t testing.TB, path, want string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Level string
			Msg   string
			Time  time.Time
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if line.Time.IsZero() {
			t.Errorf("log line %q has no time", sc.Text())
		}
		if line.Level == "error" {
			last = line.Msg
		}
	}
	if !strings.Contains(last, want) {
		t.Fatalf("last error in the log is %q, want one containing %q", last, want)
	}
}
