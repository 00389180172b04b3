package network

import (
	"slices"
	"testing"

	"github.com/google/nftables"
)

func TestForwardDroppers(t *testing.T) {
	drop, accept := nftables.ChainPolicyDrop, nftables.ChainPolicyAccept
	ours := &nftables.Table{Name: "container-runtime", Family: nftables.TableFamilyIPv4}
	filter := &nftables.Table{Name: "filter", Family: nftables.TableFamilyIPv4}
	inet := &nftables.Table{Name: "fw", Family: nftables.TableFamilyINet}
	bridge := &nftables.Table{Name: "br", Family: nftables.TableFamilyBridge}
	chains := []*nftables.Chain{
		{Name: "FORWARD", Table: filter, Hooknum: nftables.ChainHookForward, Policy: &drop}, // Docker's
		{Name: "forward", Table: inet, Hooknum: nftables.ChainHookForward, Policy: &drop},   // a firewall's
		{Name: "forward", Table: ours, Hooknum: nftables.ChainHookForward, Policy: &drop},   // ours: never listed
		{Name: "forward", Table: bridge, Hooknum: nftables.ChainHookForward, Policy: &drop}, // not IP
		{Name: "open", Table: filter, Hooknum: nftables.ChainHookForward, Policy: &accept},  // accepts
		{Name: "INPUT", Table: filter, Hooknum: nftables.ChainHookInput, Policy: &drop},     // not forward
		{Name: "DOCKER", Table: filter}, // not a base chain
	}
	got := forwardDroppers(chains, ours)
	want := []string{"table ip filter chain FORWARD", "table inet fw chain forward"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
