package selfexe

import (
	"errors"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
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
