package dockercli

import (
	"strings"
	"testing"
)

// TestDockerRunNameFlags: docker run's --dns-search, --dns-option,
// --domainname and --expose, sent by Docker's CLI as HostConfig.DnsSearch,
// DnsOptions, Config.Domainname and Config.ExposedPorts, are honoured
// (they were dropped with a warning before).
func TestDockerRunNameFlags(t *testing.T) {
	c := newCLI(t)
	out := c.ok(t, "run", "--rm", "--dns-search", "example.com", "--dns-option", "ndots:3", "--domainname", "example.org",
		"busybox", "sh", "-c", "cat /etc/resolv.conf /proc/sys/kernel/domainname")
	if !strings.Contains(out, "search example.com\n") || !strings.Contains(out, "options ndots:3\n") || !strings.HasSuffix(out, "example.org\n") {
		t.Errorf("resolv.conf and domain name in the container:\n%s", out)
	}
	id := strings.TrimSpace(c.ok(t, "run", "-d", "--expose", "7000", "-P", "busybox", "sleep", "1000"))
	defer c.run(nil, nil, "rm", "-f", id)
	if out := c.ok(t, "port", id); !strings.Contains(out, "7000/tcp -> ") {
		t.Errorf("docker port after --expose 7000 -P: %q", out)
	}
	if got := strings.TrimSpace(c.ok(t, "inspect", "-f", "{{range $p, $_ := .Config.ExposedPorts}}{{$p}}{{end}} {{.Config.Domainname}}", id)); got != "7000/tcp" {
		t.Errorf("docker inspect: %q, want the exposed port 7000/tcp", got)
	}
}
