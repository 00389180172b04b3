package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

// nameFlags are Docker's run/create flags for the container's resolver
// and names (--dns-search, --dns-option, --domainname) and its exposed
// ports (--expose), and the CLI's own -q (no pull output) and -a (the
// streams run attaches). The daemon checks the names; --expose is parsed
// here, its ranges expanded, as Docker's CLI does.
type nameFlags struct {
	dnsSearch  []string
	dnsOptions []string
	domainname string
	expose     []string
	quiet      bool
	attach     []string
}

// addFlags registers the flags on fs.
func (n *nameFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&n.dnsSearch, "dns-search", nil, "DNS search domain of the container's resolv.conf")
	fs.StringArrayVar(&n.dnsOptions, "dns-option", nil, "DNS option of the container's resolv.conf (e.g. ndots:2)")
	fs.StringVar(&n.domainname, "domainname", "", "the container's NIS domain name")
	fs.StringArrayVar(&n.expose, "expose", nil, "expose a port or a range of ports: PORT[-PORT][/tcp|/udp|/sctp] (-P publishes them)")
	fs.BoolVarP(&n.quiet, "quiet", "q", false, "suppress the pull output")
	fs.StringArrayVarP(&n.attach, "attach", "a", nil, "attach to STDIN, STDOUT or STDERR (run only; default stdout and stderr)")
}

// apply fills req's fields from the flags.
func (n *nameFlags) apply(req *api.ContainerCreate) error {
	req.DNSSearch, req.DNSOptions, req.Domainname = n.dnsSearch, n.dnsOptions, n.domainname
	for _, e := range n.expose {
		ports, err := parseExpose(e)
		if err != nil {
			return err
		}
		req.ExposedPorts = append(req.ExposedPorts, ports...)
	}
	return nil
}

// parseExpose parses one --expose: PORT or a range LOW-HIGH, with an
// optional protocol, into "PORT/PROTO" entries.
func parseExpose(s string) ([]string, error) {
	ports, proto, hasProto := strings.Cut(s, "/")
	if !hasProto {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" && proto != "sctp" {
		return nil, fmt.Errorf("invalid --expose %q: the protocol must be tcp, udp or sctp", s)
	}
	lowS, highS, isRange := strings.Cut(ports, "-")
	low, err := strconv.ParseUint(lowS, 10, 16)
	if err != nil || low == 0 {
		return nil, fmt.Errorf("invalid range format for --expose: %s, error: invalid port %q", s, lowS)
	}
	high := low
	if isRange {
		if high, err = strconv.ParseUint(highS, 10, 16); err != nil || high < low {
			return nil, fmt.Errorf("invalid range format for --expose: %s, error: invalid end port %q", s, highS)
		}
	}
	out := make([]string, 0, high-low+1)
	for p := low; p <= high; p++ {
		out = append(out, fmt.Sprintf("%d/%s", p, proto))
	}
	return out, nil
}

// outputStreams are the output streams run attaches to.
type outputStreams struct{ stdout, stderr bool }

// attachStreams reads -a: nil without it (stdout and stderr); with it,
// only the streams named, and stdin named opens the container's stdin,
// as Docker's. -a and -d exclude each other.
func attachStreams(names []string, detach bool, req *api.ContainerCreate) (*outputStreams, error) {
	if len(names) == 0 {
		return nil, nil
	}
	if detach {
		return nil, fmt.Errorf("conflicting options: -a and -d")
	}
	var s outputStreams
	for _, n := range names {
		switch strings.ToLower(n) {
		case "stdin":
			req.OpenStdin = true
		case "stdout":
			s.stdout = true
		case "stderr":
			s.stderr = true
		default:
			return nil, fmt.Errorf("invalid argument %q for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", n)
		}
	}
	return &s, nil
}
