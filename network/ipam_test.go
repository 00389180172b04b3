package network

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/container-runtime/container-runtime/errdefs"
)

func TestIPAM(t *testing.T) {
	subnet := netip.MustParsePrefix("10.9.9.0/29") // .1 gateway, .2-.6 usable, .7 broadcast
	a := newIPAM(subnet, gatewayOf(subnet))
	var got []string
	for i := range 5 {
		ip, err := a.allocate(string(rune('a' + i)))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ip.String())
	}
	if want := []string{"10.9.9.2", "10.9.9.3", "10.9.9.4", "10.9.9.5", "10.9.9.6"}; !slices.Equal(got, want) {
		t.Fatalf("allocated %v, want %v", got, want)
	}
	if _, err := a.allocate("f"); !errors.Is(err, errdefs.ErrUnavailable) {
		t.Fatalf("allocating in a full subnet: %v, want ErrUnavailable", err)
	}
	a.release(netip.MustParseAddr("10.9.9.3"), "someone else")
	if _, err := a.allocate("f"); err == nil {
		t.Fatal("release by the wrong owner freed the address")
	}
	a.release(netip.MustParseAddr("10.9.9.3"), "b")
	if ip, err := a.allocate("f"); err != nil || ip.String() != "10.9.9.3" {
		t.Fatalf("after a release: %v, %v; want 10.9.9.3", ip, err)
	}
	for _, bad := range []string{"10.9.9.1", "10.9.9.7", "10.9.9.0", "10.9.10.2"} {
		if err := a.claim(netip.MustParseAddr(bad), "x"); err == nil {
			t.Errorf("claim of %s succeeded", bad)
		}
	}
	if err := a.claim(netip.MustParseAddr("10.9.9.2"), "x"); !errors.Is(err, errdefs.ErrConflict) {
		t.Errorf("claim of a taken address: %v, want ErrConflict", err)
	}
}

func TestIPAMDoesNotReuseAtOnce(t *testing.T) {
	subnet := netip.MustParsePrefix("10.9.0.0/24")
	a := newIPAM(subnet, gatewayOf(subnet))
	first, _ := a.allocate("a")
	a.release(first, "a")
	second, _ := a.allocate("b")
	if second == first {
		t.Errorf("a released address (%s) was given again at once", first)
	}
}

func TestPickSubnet(t *testing.T) {
	used := []netip.Prefix{netip.MustParsePrefix("10.66.1.0/24"), netip.MustParsePrefix("10.67.0.5/32")}
	got, ok := pickSubnet(DefaultSubnets(), used)
	if !ok || got.String() != "10.68.0.0/16" {
		t.Errorf("picked %s, %v; want 10.68.0.0/16", got, ok)
	}
	var subnets []string
	for p := range carve([]netip.Prefix{netip.MustParsePrefix("10.72.0.0/22")}, 24) {
		subnets = append(subnets, p.String())
	}
	if want := []string{"10.72.0.0/24", "10.72.1.0/24", "10.72.2.0/24", "10.72.3.0/24"}; !slices.Equal(subnets, want) {
		t.Errorf("carved %v", subnets)
	}
	if b := broadcastOf(netip.MustParsePrefix("10.1.2.0/23")); b.String() != "10.1.3.255" {
		t.Errorf("broadcast %s", b)
	}
}
