package security

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// The attack tests of the files that name this one run testdata/attacker
// inside containers: a static program, built here, bind-mounted read-only
// at /t (attackerMount). Each of its subcommands tries one attack and
// prints one line per attempt, "WORD ARGS... RESULT"; the tests read the
// lines and judge.

// attackerDir is where the attacker is mounted inside containers.
const attackerDir = "/t"

// attackerPath is the attacker's path inside containers.
const attackerPath = attackerDir + "/attacker"

// buildAttacker builds testdata/attacker with CGO_ENABLED=0 into a new
// directory, readable by any user, and returns the directory. Copies run
// under another name leave their marker in markerDir (empty: nowhere).
func buildAttacker(t testing.TB, markerDir string) string {
	t.Helper()
	goTool := testutil.RequireTool(t, "go")
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "build", "-trimpath", "-o", filepath.Join(dir, "attacker"),
		"-ldflags", "-X main.markerDir="+markerDir, "./testdata/attacker")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the attacker: %v\n%s", err, out)
	}
	return dir
}

// attackerMount is the run flag that mounts the attacker built in dir.
func attackerMount(dir string) []string {
	return []string{"-v", dir + ":" + attackerDir + ":ro"}
}

// attackerLines returns the fields of the lines of out that start with
// word (the word itself excluded).
func attackerLines(out, word string) [][]string {
	var lines [][]string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == word {
			lines = append(lines, f[1:])
		}
	}
	return lines
}

// binaryHashes returns the SHA-256 of each binary under test, by path.
func binaryHashes(t testing.TB) map[string]string {
	t.Helper()
	cli, daemonBin, oci := daemon.Bins()
	sums := map[string]string{}
	for _, p := range []string{cli, daemonBin, oci} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatalf("hashing the binaries under test: %v", err)
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			t.Fatalf("hashing %s: %v", p, err)
		}
		sums[p] = hex.EncodeToString(h.Sum(nil))
	}
	return sums
}
