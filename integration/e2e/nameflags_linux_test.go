package e2e

import (
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestRunNameFlags reads --dns-search, --dns-option and --domainname back
// inside the container, and checks that --expose's ports are in inspect's
// Config.ExposedPorts and published by -P.
func TestRunNameFlags(t *testing.T) {
	d := daemon.New(t)
	img := d.Busybox(t)

	for _, nw := range []string{"bridge", "host"} {
		out := d.OK(t, "run", "--rm", "--network", nw, "--dns-search", "example.com", "--dns-search", "corp.example",
			"--dns-option", "ndots:3", "--dns-option", "rotate", img, "cat", "/etc/resolv.conf")
		if !strings.Contains(out, "search example.com corp.example\n") || !strings.Contains(out, "options ndots:3 rotate\n") {
			t.Errorf("--network %s: resolv.conf lacks the search and options lines:\n%s", nw, out)
		}
	}
	if out := d.OK(t, "run", "--rm", "--domainname", "example.org", img, "cat", "/proc/sys/kernel/domainname"); strings.TrimSpace(out) != "example.org" {
		t.Errorf("--domainname example.org: the container's domain name is %q", out)
	}
	id := mustCreate(t, d, "--domainname", "example.org", "--dns-search", "example.com", "--dns-option", "ndots:3", img)
	if got := strings.TrimSpace(d.OK(t, "inspect", "-f", "{{.Config.Domainname}} {{.HostConfig.DnsSearch}} {{.HostConfig.DnsOptions}}", id)); got != "example.org [example.com] [ndots:3]" {
		t.Errorf("inspect: %q", got)
	}
	refused(t, d, "conflicting options: domainname and the UTS mode", "create", "--uts", "host", "--domainname", "example.org", img)
	refused(t, d, `invalid DNS option "ndots:2 rotate"`, "create", "--dns-option", "ndots:2 rotate", img)
	refused(t, d, "is not a valid domain", "create", "--dns-search", "-bad", img)

	t.Run("attach", func(t *testing.T) {
		script := []string{img, "sh", "-c", "echo out; echo err >&2"}
		if r := d.Run(t, append([]string{"run", "--rm", "-a", "stdout"}, script...)...); r.Code != 0 || r.Stdout != "out\n" || strings.Contains(r.Stderr, "err") {
			t.Errorf("run -a stdout: want out on stdout and no err, got:\n%s", r)
		}
		if r := d.Run(t, append([]string{"run", "--rm", "-a", "STDERR"}, script...)...); r.Code != 0 || r.Stdout != "" || r.Stderr != "err\n" {
			t.Errorf("run -a STDERR: want err on stderr only, got:\n%s", r)
		}
		r := d.Exec(daemon.CmdTimeout, strings.NewReader("from stdin\n"), "run", "--rm", "-a", "stdin", "-a", "stdout", img, "cat")
		if r.Code != 0 || r.Stdout != "from stdin\n" {
			t.Errorf("run -a stdin -a stdout cat: want the input back, got:\n%s", r)
		}
		refused(t, d, "conflicting options: -a and -d", "run", "-d", "-a", "stdout", img, "true")
		refused(t, d, "valid streams are STDIN, STDOUT and STDERR", "run", "-a", "stdlog", img, "true")
	})

	t.Run("expose", func(t *testing.T) {
		id := strings.TrimSpace(d.OK(t, "run", "-d", "--expose", "7000", "--expose", "7100-7101/udp", "-P", img, "sleep", "1000"))
		defer d.Run(t, "rm", "-f", id)
		out := d.OK(t, "port", id)
		for _, p := range []string{"7000/tcp -> ", "7100/udp -> ", "7101/udp -> "} {
			if !strings.Contains(out, p) {
				t.Errorf("-P with --expose: port lists no %q:\n%s", p, out)
			}
		}
		got := strings.TrimSpace(d.OK(t, "inspect", "-f", "{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}", id))
		if got != "7000/tcp 7100/udp 7101/udp" {
			t.Errorf("Config.ExposedPorts: %q", got)
		}
		refused(t, d, "invalid range format for --expose", "create", "--expose", "90-80", img)
	})
}
