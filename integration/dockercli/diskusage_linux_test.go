package dockercli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemDfVolumes: docker system df -v shows each volume's size
// (apparent sizes, a hard link once, a symbolic link's own length) and
// how many containers use it; -1B (Docker's -1) only for the one that
// cannot be measured.
func TestSystemDfVolumes(t *testing.T) {
	c := newCLI(t)
	c.ok(t, "run", "--rm", "-v", "sized:/data", "busybox", "sh", "-c",
		"head -c 5000 /dev/zero > /data/a && ln /data/a /data/hard && ln -s /bin/busybox /data/link")
	c.ok(t, "create", "--name", "user", "-v", "sized:/data", "busybox", "true")
	c.ok(t, "volume", "create", "spare")
	c.ok(t, "volume", "create", "lost")
	if err := os.RemoveAll(filepath.Join(c.d.Root, "volumes", "lost", "_data")); err != nil {
		t.Fatal(err)
	}
	out := c.ok(t, "system", "df", "-v")
	// Docker's units: 5012 bytes are 5.012kB.
	for _, row := range [][]string{{"sized", "1", "5.012kB"}, {"spare", "0", "0B"}, {"lost", "0", "-1B"}} {
		if !hasRow(out, row) {
			t.Errorf("docker system df -v has no row %q:\n%s", row, out)
		}
	}
	c.ok(t, "rm", "user")
}

// hasRow tells whether a line of a table holds exactly the fields want.
func hasRow(table string, want []string) bool {
	for _, line := range strings.Split(table, "\n") {
		if strings.Join(strings.Fields(line), " ") == strings.Join(want, " ") {
			return true
		}
	}
	return false
}
