package network

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
)

// localhostLines start every hosts file we write (Docker's set).
const localhostLines = "127.0.0.1\tlocalhost\n" +
	"::1\tlocalhost ip6-localhost ip6-loopback\n" +
	"fe00::\tip6-localnet\n" +
	"ff00::\tip6-mcastprefix\n" +
	"ff02::1\tip6-allnodes\n" +
	"ff02::2\tip6-allrouters\n"

// hostGatewayName in an extra host stands for the address of the host as
// the container sees it (the bridge's address), as in Docker.
const hostGatewayName = "host-gateway"

// extraHost is one parsed Request.ExtraHosts entry.
type extraHost struct {
	name string
	addr netip.Addr
}

// parseExtraHosts parses "name:address" or "name=address" entries;
// hostGateway replaces "host-gateway" (invalid: not available).
func parseExtraHosts(entries []string, hostGateway netip.Addr) ([]extraHost, error) {
	var out []extraHost
	for _, e := range entries {
		name, addr, ok := strings.Cut(e, "=")
		if !ok {
			name, addr, ok = strings.Cut(e, ":")
		}
		name = strings.TrimSpace(name)
		addr = strings.Trim(strings.TrimSpace(addr), "[]")
		if !ok || name == "" || strings.ContainsAny(name, " \t#") {
			return nil, fmt.Errorf("extra host %q: want NAME:ADDRESS: %w", e, errdefs.ErrInvalidArgument)
		}
		if addr == hostGatewayName {
			if !hostGateway.IsValid() {
				return nil, fmt.Errorf("extra host %q: this network has no host gateway: %w", e, errdefs.ErrInvalidArgument)
			}
			out = append(out, extraHost{name, hostGateway})
			continue
		}
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return nil, fmt.Errorf("extra host %q: %q is not an IP address: %w", e, addr, errdefs.ErrInvalidArgument)
		}
		out = append(out, extraHost{name, a})
	}
	return out, nil
}

// renderHosts writes a container's hosts file: base (the localhost lines,
// or the host's own file for Host), the container's names on its address
// (self invalid: nothing), then the extra hosts.
func renderHosts(base []byte, self netip.Addr, names []string, extra []extraHost) []byte {
	var b bytes.Buffer
	b.Write(base)
	if len(base) > 0 && base[len(base)-1] != '\n' {
		b.WriteByte('\n')
	}
	if self.IsValid() && len(names) > 0 {
		fmt.Fprintf(&b, "%s\t%s\n", self, strings.Join(names, " "))
	}
	for _, e := range extra {
		fmt.Fprintf(&b, "%s\t%s\n", e.addr, e.name)
	}
	return b.Bytes()
}

// uniqueNames drops empty and repeated names, keeping the order.
func uniqueNames(names ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}
