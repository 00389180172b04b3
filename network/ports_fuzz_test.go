package network

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

// formatPort writes p in the -p syntax ParsePort reads, always with the
// protocol and with the host address in brackets.
func formatPort(p PortMapping) string {
	s := strconv.Itoa(int(p.ContainerPort)) + "/" + p.Proto
	switch {
	case p.HostIP.IsValid():
		host := ""
		if p.HostPort != 0 {
			host = strconv.Itoa(int(p.HostPort))
		}
		return "[" + p.HostIP.String() + "]:" + host + ":" + s
	case p.HostPort != 0:
		return strconv.Itoa(int(p.HostPort)) + ":" + s
	}
	return s
}

// FuzzParsePort checks the -p parser (seed corpus in
// testdata/fuzz/FuzzParsePort): a spec is refused as an invalid argument,
// or parses to a container port from 1 to 65535 over tcp or udp that
// prints back to a spec parsing to the same mapping. Normalising the
// mapping refuses it as an invalid argument or gives one that normalises
// to itself, and the same host port asked for twice is a conflict.
func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"80", "8080:80", "127.0.0.1:8080:80/udp", "127.0.0.1::80", "53/UDP", "[::1]:80:80",
		"::1:80:80", "[fe80::1%eth0]:1:2/tcp", "[::ffff:10.0.0.1]:443:443", "0.0.0.0:0:1", "", "0", "80/sctp", "70000",
		"x:80", "1.2.3:80:80", "8000-8010:80", "-1:80", "80/tcp/udp", ":::80", "[]:80:80", "+80", "0x50"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		p, err := ParsePort(spec)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("ParsePort(%q): %v is not ErrInvalidArgument", spec, err)
			}
			return
		}
		if p.ContainerPort == 0 || p.Proto != TCP && p.Proto != UDP {
			t.Fatalf("ParsePort(%q) = %+v", spec, p)
		}
		again, err := ParsePort(formatPort(p))
		if err != nil || again != p {
			t.Fatalf("ParsePort(%q) = %+v, printed %q, which parses to %+v, %v", spec, p, formatPort(p), again, err)
		}

		norm, err := normalizePorts([]PortMapping{p})
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("normalizePorts(%+v): %v is not ErrInvalidArgument", p, err)
			}
			return
		}
		n := norm[0]
		if len(norm) != 1 || n.ContainerPort != p.ContainerPort || n.HostPort != p.HostPort || n.Proto != p.Proto ||
			n.HostIP.IsValid() && (!n.HostIP.Is4() || n.HostIP.IsUnspecified()) {
			t.Fatalf("normalizePorts(%+v) = %+v", p, norm)
		}
		if twice, err := normalizePorts(norm); err != nil || !slices.Equal(twice, norm) {
			t.Fatalf("normalizePorts(%+v) = %+v, but normalising that gives %+v, %v", p, norm, twice, err)
		}
		_, err = normalizePorts([]PortMapping{p, p})
		if p.HostPort != 0 && !errors.Is(err, errdefs.ErrConflict) || p.HostPort == 0 && err != nil {
			t.Fatalf("normalizePorts of %+v twice: %v", p, err)
		}
	})
}
