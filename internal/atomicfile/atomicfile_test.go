package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesWithMode(t *testing.T) {
	checkReplacesWithMode(t, t.TempDir())
}

// TestWriteVolatileReplacesWithMode: without its syncs, a write still
// replaces the file whole, with its mode, and leaves no temporary file.
func TestWriteVolatileReplacesWithMode(t *testing.T) {
	checkWriterReplacesWithMode(t, t.TempDir(), WriteVolatile)
}

// TestWriteVolatileMissingDirFails: the error names the file.
func TestWriteVolatileMissingDirFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "state.json")
	err := WriteVolatile(path, []byte("x"), 0o600)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("WriteVolatile into a missing directory: %v; want an error naming %s", err, path)
	}
}

// checkReplacesWithMode writes a file in dir twice, the second time with
// another mode, and checks the content, the mode and that no temporary
// file is left.
func checkReplacesWithMode(t *testing.T, dir string) {
	t.Helper()
	checkWriterReplacesWithMode(t, dir, Write)
}

func checkWriterReplacesWithMode(t *testing.T, dir string, write func(string, []byte, os.FileMode) error) {
	t.Helper()
	path := filepath.Join(dir, "state.json")
	if err := write(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new" {
		t.Fatalf("content %q, %v; want new", b, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	assertNoTemps(t, dir)
}

func TestWriteFuncFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "archive.tar")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFunc(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want it to wrap the fill error", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old" {
		t.Errorf("content %q after a failed write, want old", b)
	}
	assertNoTemps(t, dir)
}

func TestWriteMissingDirFails(t *testing.T) {
	if err := Write(filepath.Join(t.TempDir(), "no", "such"), nil, 0o600); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{TempPrefix + "a-1", TempPrefix + "b-2", "keep.json"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveTemps(dir); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "keep.json" {
		t.Errorf("left %v, want only keep.json", ents)
	}
}

func assertNoTemps(t testing.TB, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if IsTemp(e.Name()) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
