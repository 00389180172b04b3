package privdir

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestAllowUserSearch: a uid given search through the ACL can reach a
// known name below the directory and cannot list it; other users still
// reach nothing; revoking takes it back and the mode stays 0710.
func TestAllowUserSearch(t *testing.T) {
	testutil.RequireRoot(t)
	parent := t.TempDir()
	// t.TempDir's directories are 0700: open them, as /var/lib is.
	for _, d := range []string{filepath.Dir(parent), parent} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(parent, "root")
	if err := Mkdir(dir); err != nil {
		t.Fatal(err)
	}
	if err := AllowGroupSearch(dir, 100000); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "known"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	const allowed, other = 231072, 296608
	if err := AllowUserSearch(dir, allowed); err != nil {
		t.Fatal(err)
	}
	if err := AllowUserSearch(dir, allowed); err != nil { // idempotent
		t.Fatal(err)
	}
	if m := permOf(t, dir); m != 0o710 {
		t.Errorf("mode %04o with an ACL, want 0710", m)
	}
	if !canRun(t, allowed, "cat "+filepath.Join(dir, "known")) {
		t.Errorf("uid %d cannot reach a known name below %s", allowed, dir)
	}
	if canRun(t, allowed, "ls "+dir) {
		t.Errorf("uid %d can list %s", allowed, dir)
	}
	if canRun(t, other, "cat "+filepath.Join(dir, "known")) {
		t.Errorf("uid %d, never allowed, reaches below %s", other, dir)
	}
	if err := RevokeUserSearch(dir, allowed); err != nil {
		t.Fatal(err)
	}
	if canRun(t, allowed, "cat "+filepath.Join(dir, "known")) {
		t.Errorf("uid %d still reaches below %s after the revoke", allowed, dir)
	}
	if m := permOf(t, dir); m != 0o710 {
		t.Errorf("mode %04o after the revoke, want 0710", m)
	}
	if err := RevokeUserSearch(filepath.Join(dir, "missing"), allowed); err != nil {
		t.Errorf("revoke on a missing path: %v", err)
	}
}

func permOf(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// canRun runs the shell command as uid (and gid) and reports success.
func canRun(t testing.TB, uid int, command string) bool {
	t.Helper()
	setpriv := testutil.RequireTool(t, "setpriv")
	id := strconv.Itoa(uid)
	out, err := exec.Command(setpriv, "--reuid", id, "--regid", id, "--clear-groups", "sh", "-c", command).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "ermission denied") {
		t.Logf("%s as %d: %v: %s", command, uid, err, out)
	}
	return err == nil
}
