package selfexe

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestCVE_2019_5736_ReadOnlySelf guards the /proc/self/exe overwrite class
// (CVE-2019-5736): a container process that reaches our binary through
// /proc/PID/exe and opens it for writing must get EROFS, not a way to
// replace the host's binary.
func TestCVE_2019_5736_ReadOnlySelf(t *testing.T) {
	f := ReadOnly()
	if f == nil {
		// open_tree needs CAP_SYS_ADMIN: without it nil is the documented
		// answer (the callers fall back), with it a failure.
		if os.Geteuid() == 0 {
			t.Fatal("no read-only handle of our binary as root")
		}
		return
	}
	defer f.Close()
	w, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), os.O_WRONLY, 0)
	if err == nil {
		w.Close()
		t.Fatal("opened our binary for writing through the read-only handle")
	}
	if !errors.Is(err, unix.EROFS) && !errors.Is(err, unix.ETXTBSY) {
		t.Errorf("opening for writing: %v, want EROFS", err)
	}
	want, err := os.Stat("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(want, got) {
		t.Error("the handle is not our binary")
	}
}

// TestCVE_2019_5736_ReadOnlyStageBinary: the daemon's stage binary
// (another file than ours) gets the same read-only handle, and a file
// that someone besides its owner could write, or that is not a regular
// file, is refused rather than trusted as the start of every container.
func TestCVE_2019_5736_ReadOnlyStageBinary(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Missing(t, "needs root: open_tree")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "stage")
	self, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := ReadOnlyFile(bin)
	if err != nil || f == nil {
		t.Fatalf("ReadOnlyFile(%s): %v, %v", bin, f, err)
	}
	defer f.Close()
	w, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), os.O_WRONLY, 0)
	if err == nil {
		w.Close()
		t.Fatal("opened the stage binary for writing through the read-only handle")
	}
	if !errors.Is(err, unix.EROFS) && !errors.Is(err, unix.ETXTBSY) {
		t.Errorf("opening for writing: %v, want EROFS", err)
	}

	for _, mode := range []os.FileMode{0o775, 0o757} {
		if err := os.Chmod(bin, mode); err != nil {
			t.Fatal(err)
		}
		if f, err := ReadOnlyFile(bin); err == nil || f != nil || !strings.Contains(err.Error(), "writable by group or others") {
			t.Errorf("mode %04o: ReadOnlyFile gave %v, %v; want a refusal", mode, f, err)
		}
	}
	if f, err := ReadOnlyFile(dir); err == nil || f != nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: ReadOnlyFile gave %v, %v; want a refusal", f, err)
	}
	if f, err := ReadOnlyFile(filepath.Join(dir, "missing")); err == nil || f != nil {
		t.Errorf("a missing file: ReadOnlyFile gave %v, %v; want an error", f, err)
	}
}
