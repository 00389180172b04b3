package container

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/api"
)

// searchDomain is a DNS search domain as Docker's CLI accepts it: labels
// of letters, digits and '-' joined by dots, a trailing dot allowed.
var searchDomain = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$`)

// domainName is a NIS domain name as setdomainname(2) takes it (at most 64
// bytes: the kernel's __NEW_UTS_LEN).
var domainName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$`)

// checkNames checks --dns-search, --dns-option and --domainname. They go
// into the container's resolv.conf line by line, so nothing may hold a
// line break or another control character (a smuggled "nameserver" line);
// the domain name is the container's own UTS namespace's, never the
// host's.
func checkNames(req api.ContainerCreate) error {
	for _, d := range req.DNSSearch {
		if len(d) > 255 || !searchDomain.MatchString(d) {
			return invalidf("%q is not a valid domain", d)
		}
	}
	for _, o := range req.DNSOptions {
		if o == "" || strings.ContainsFunc(o, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return invalidf("invalid DNS option %q: one word such as ndots:2, no spaces or line breaks", o)
		}
	}
	if req.Domainname == "" {
		return nil
	}
	if !domainName.MatchString(req.Domainname) || len(req.Domainname) > 64 {
		return invalidf("invalid domain name %q: letters, digits, '.' and '-', at most 64 bytes", req.Domainname)
	}
	if req.UTSMode == "host" {
		return invalidf("conflicting options: domainname and the UTS mode (--uts host would set the host's domain name)")
	}
	return nil
}

// exposedPorts checks the request's exposed ports ("PORT/PROTO", as
// --expose sends them) and returns them with the image's, recording the
// union in req, sorted, as Docker's Config.ExposedPorts.
func exposedPorts(req *api.ContainerCreate, image map[string]struct{}) (map[string]struct{}, error) {
	if len(req.ExposedPorts) == 0 && len(image) == 0 {
		return nil, nil
	}
	all := maps.Clone(image)
	if all == nil {
		all = map[string]struct{}{}
	}
	for _, p := range req.ExposedPorts {
		num, proto, _ := strings.Cut(p, "/")
		if proto == "" {
			proto = "tcp"
		}
		n, err := strconv.ParseUint(num, 10, 16)
		if err != nil || n == 0 || (proto != "tcp" && proto != "udp" && proto != "sctp") {
			return nil, invalidf("invalid exposed port %q: want PORT[/tcp|/udp|/sctp], PORT from 1 to 65535", p)
		}
		all[fmt.Sprintf("%d/%s", n, proto)] = struct{}{}
	}
	req.ExposedPorts = slices.Sorted(maps.Keys(all))
	return all, nil
}
