package container

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestCheckNames: search domains, options and the domain name go into
// the container's files line by line: nothing that breaks a line, and no
// domain name for the host's UTS namespace.
func TestCheckNames(t *testing.T) {
	ok := api.ContainerCreate{DNSSearch: []string{"example.com", "corp.example.com.", "a-b"}, DNSOptions: []string{"ndots:2", "rotate"}, Domainname: "example.org"}
	if err := checkNames(ok); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
	for _, bad := range []api.ContainerCreate{
		{DNSSearch: []string{"example.com\nnameserver 6.6.6.6"}},
		{DNSSearch: []string{"-bad.com"}},
		{DNSSearch: []string{""}},
		{DNSOptions: []string{"ndots:2\nnameserver 6.6.6.6"}},
		{DNSOptions: []string{"ndots:2 rotate"}},
		{DNSOptions: []string{""}},
		{Domainname: "a\nb"},
		{Domainname: strings.Repeat("a", 65)},
		{Domainname: "example.org", UTSMode: "host"},
	} {
		if err := checkNames(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%+v: %v, want ErrInvalidArgument", bad, err)
		}
	}
}

// TestExposedPorts: --expose's ports join the image's, recorded sorted.
func TestExposedPorts(t *testing.T) {
	req := api.ContainerCreate{ExposedPorts: []string{"7000/tcp", "53/udp", "9000"}}
	got, err := exposedPorts(&req, map[string]struct{}{"80/tcp": {}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"53/udp", "7000/tcp", "80/tcp", "9000/tcp"}
	if !slices.Equal(req.ExposedPorts, want) || len(got) != 4 {
		t.Errorf("exposed %q (%v), want %q", req.ExposedPorts, got, want)
	}
	for _, bad := range []string{"0/tcp", "70000", "80/icmp", "x"} {
		if _, err := exposedPorts(&api.ContainerCreate{ExposedPorts: []string{bad}}, nil); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v, want ErrInvalidArgument", bad, err)
		}
	}
}
