package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// lastLineNumber returns N of the last "nN ..." line of a container's log
// (-1: none yet).
func lastLineNumber(t testing.TB, d *daemon.Daemon, name string) int {
	t.Helper()
	m := regexp.MustCompile(`^n(\d+) `).FindStringSubmatch(d.Run(t, "logs", "--tail", "1", name).Stdout)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestStalledAttachClient attaches to a container that writes as fast as
// it can and then never reads: the container's output keeps flowing to
// its log (bounded by rotation), and other clients are served.
func TestStalledAttachClient(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)
	d.OK(t, "run", "-d", "--name", "spew", "--log-opt", "max-size=1m", "--log-opt", "max-file=2", img, "sh", "-c",
		`i=0; while true; do echo "n$i `+strings.Repeat("a", 80)+`"; i=$((i+1)); done`)

	c, err := net.Dial("unix", d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.UnixConn).SetReadBuffer(4096)
	fmt.Fprintf(c, "POST /v1/containers/spew/attach?stdout=1&stderr=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.Contains(line, " 101 ") {
		t.Fatalf("attach answered %q, %v; want 101", line, err)
	}
	// From here on the client reads nothing: the socket buffers fill
	// within milliseconds at this rate.
	time.Sleep(2 * time.Second)
	before := lastLineNumber(t, d, "spew")
	if !testutil.Eventually(30*time.Second, func() bool { return lastLineNumber(t, d, "spew") > before+1000 }) {
		t.Errorf("the container's output stalled behind a stalled attach client at line %d", before)
	}
	if out := d.OK(t, "exec", "spew", "echo", "served"); out != "served\n" {
		t.Errorf("exec printed %q", out)
	}
	if r := d.Run(t, "run", "--rm", img, "echo", "served"); r.Code != 0 || r.Stdout != "served\n" {
		t.Errorf("another container: %v", r)
	}
	// Rotation keeps the log bounded: at most max-file files of max-size.
	var total int64
	logs, _ := logSizes(d.Inspect(t, "spew").LogPath + "*")
	for _, l := range logs {
		total += l
	}
	if total > 3<<20 {
		t.Errorf("the log files hold %d bytes, want at most about 2 MiB (max-size=1m, max-file=2)", total)
	}
}

// logSizes returns the sizes of the files matching pattern.
func logSizes(pattern string) ([]int64, error) {
	names, err := filepath.Glob(pattern)
	var sizes []int64
	for _, n := range names {
		if fi, err := os.Stat(n); err == nil {
			sizes = append(sizes, fi.Size())
		}
	}
	return sizes, err
}
