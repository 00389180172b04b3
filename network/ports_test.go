package network

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestParsePort(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PortMapping
	}{
		{"80", PortMapping{ContainerPort: 80, Proto: TCP}},
		{"8080:80", PortMapping{HostPort: 8080, ContainerPort: 80, Proto: TCP}},
		{"127.0.0.1:8080:80/udp", PortMapping{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080, ContainerPort: 80, Proto: UDP}},
		{"127.0.0.1::80", PortMapping{HostIP: netip.MustParseAddr("127.0.0.1"), ContainerPort: 80, Proto: TCP}},
		{"53/UDP", PortMapping{ContainerPort: 53, Proto: UDP}},
	} {
		got, err := ParsePort(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePort(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0", "80/sctp", "70000", "x:80", "1.2.3:80:80", "8000-8010:80", "-1:80"} {
		if _, err := ParsePort(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("ParsePort(%q): %v, want ErrInvalidArgument", bad, err)
		}
	}
	p := PortMapping{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080, ContainerPort: 80, Proto: TCP}
	if p.String() != "127.0.0.1:8080/tcp->80/tcp" {
		t.Errorf("String: %s", p)
	}
}

func TestNormalizePorts(t *testing.T) {
	got, err := normalizePorts([]PortMapping{{ContainerPort: 80}, {HostIP: netip.MustParseAddr("0.0.0.0"), HostPort: 81, ContainerPort: 81, Proto: "UDP"}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Proto != TCP || got[1].Proto != UDP || got[1].HostIP.IsValid() {
		t.Errorf("normalized %+v", got)
	}
	for _, bad := range [][]PortMapping{
		{{ContainerPort: 0}},
		{{ContainerPort: 80, Proto: "icmp"}},
		{{ContainerPort: 80, HostIP: netip.MustParseAddr("::1")}},
	} {
		if _, err := normalizePorts(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%+v: %v, want ErrInvalidArgument", bad, err)
		}
	}
	dup := []PortMapping{{HostPort: 80, ContainerPort: 80}, {HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 80, ContainerPort: 81}}
	if _, err := normalizePorts(dup); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("the same host port twice: %v, want ErrConflict", err)
	}
}
