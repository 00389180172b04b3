package network

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestContainerNameservers(t *testing.T) {
	for _, tc := range []struct {
		name           string
		host, resolved string
		want           []string
	}{
		{"usable as is", "nameserver 10.255.255.53\n", "", []string{"10.255.255.53"}},
		{"systemd-resolved stub", "nameserver 127.0.0.53\noptions edns0\n", "nameserver 192.0.2.53\nnameserver 192.0.2.54\n", []string{"192.0.2.53", "192.0.2.54"}},
		{"loopback and a real one", "nameserver 127.0.0.1\nnameserver 10.0.0.2\n", "nameserver 192.0.2.1\n", []string{"10.0.0.2", "192.0.2.1"}},
		{"only loopback, no resolved", "nameserver 127.0.0.1\n", "", []string{"8.8.8.8", "8.8.4.4"}},
		{"IPv6 only", "nameserver ::1\nnameserver 2001:db8::1\n", "", []string{"8.8.8.8", "8.8.4.4"}},
		{"no file", "", "", []string{"8.8.8.8", "8.8.4.4"}},
		{"comments and junk", "# nameserver 1.1.1.1\nnameserver bogus\nnameserver 10.1.1.1\n", "", []string{"10.1.1.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := containerNameservers(parseResolvConf([]byte(tc.host)), parseResolvConf([]byte(tc.resolved)))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseResolvConf(t *testing.T) {
	rc := parseResolvConf([]byte("domain corp.test\nsearch a.test b.test\noptions ndots:2\noptions edns0\nnameserver 10.0.0.1\n"))
	if !slices.Equal(rc.search, []string{"a.test", "b.test"}) || !slices.Equal(rc.options, []string{"ndots:2", "edns0"}) || !slices.Equal(rc.nameservers, []string{"10.0.0.1"}) {
		t.Errorf("parsed %+v", rc)
	}
	if rc := parseResolvConf([]byte("domain corp.test\n")); !slices.Equal(rc.search, []string{"corp.test"}) {
		t.Errorf("domain without search: %+v", rc)
	}
	out := string(renderResolvConf("x", []string{"10.0.0.1"}, []string{"a.test"}, []string{"ndots:2"}))
	if !strings.Contains(out, "search a.test\nnameserver 10.0.0.1\noptions ndots:2\n") {
		t.Errorf("rendered %q", out)
	}
}

func TestParseExtraHosts(t *testing.T) {
	gw := netip.MustParseAddr("10.66.0.1")
	got, err := parseExtraHosts([]string{"db:10.0.0.5", "v6=::1", "gw:host-gateway", "br:[2001:db8::2]"}, gw)
	if err != nil {
		t.Fatal(err)
	}
	want := []extraHost{{"db", netip.MustParseAddr("10.0.0.5")}, {"v6", netip.MustParseAddr("::1")}, {"gw", gw}, {"br", netip.MustParseAddr("2001:db8::2")}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{"nocolon", ":10.0.0.1", "db:notanip", "a b:10.0.0.1"} {
		if _, err := parseExtraHosts([]string{bad}, gw); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v, want ErrInvalidArgument", bad, err)
		}
	}
	if _, err := parseExtraHosts([]string{"gw:host-gateway"}, netip.Addr{}); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("host-gateway without a gateway: %v", err)
	}
	hosts := string(renderHosts([]byte(localhostLines), netip.MustParseAddr("10.66.0.2"), uniqueNames("h", "web", "h", ""), want[:1]))
	if !strings.HasSuffix(hosts, "10.66.0.2\th web\n10.0.0.5\tdb\n") || !strings.HasPrefix(hosts, "127.0.0.1\tlocalhost\n") {
		t.Errorf("hosts file:\n%s", hosts)
	}
}
