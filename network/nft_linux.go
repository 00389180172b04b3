package network

import (
	"fmt"
	"net/netip"
	"sync"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"
)

// The chains of our table. The base chains call into the others.
//
//	raw-prerouting  filter, prerouting, raw (-300): drop packets from a
//	                bridge to 127.0.0.0/8 (route_localnet hardening)
//	nat-prerouting  nat, prerouting, dstnat (-100): DNS of user networks
//	                to their responder; `fib daddr type local jump ports`
//	nat-output      nat, output, dstnat: `fib daddr type local jump ports`
//	ports           one DNAT rule per published port, tagged by container
//	nat-postrouting nat, postrouting, srcnat (100): masquerade outbound,
//	                localhost-published and hairpin connections
//	forward         filter, forward, filter (0), policy accept: per bridge,
//	                drop what our other bridges route in (but published
//	                traffic), let in replies, same-bridge and published
//	                traffic, drop the rest (other networks, other hosts)
const (
	chainRaw         = "raw-prerouting"
	chainPrerouting  = "nat-prerouting"
	chainOutput      = "nat-output"
	chainPorts       = "ports"
	chainPostrouting = "nat-postrouting"
	chainForward     = "forward"
)

// loopbackNet is 127.0.0.0/8.
func loopbackNet() netip.Prefix { return netip.PrefixFrom(netip.AddrFrom4([4]byte{127}), 8) }

// firewall is our nftables table. Its lock serializes every change: the
// nftables.Conn batches messages per connection, so two goroutines
// building batches at once would mix them.
type firewall struct {
	mu    sync.Mutex
	conn  *nftables.Conn
	table *nftables.Table
}

// fwNetwork is what the rules need to know of a bridge network.
type fwNetwork struct {
	name    string
	bridge  string
	subnet  netip.Prefix
	gateway netip.Addr
	// dnsUDP and dnsTCP are the ports of the network's responder on the
	// gateway (0: no responder).
	dnsUDP, dnsTCP uint16
}

// fwEndpoint is what the rules need to know of a container.
type fwEndpoint struct {
	id    string
	ip    netip.Addr
	ports []PortMapping
}

func newFirewall(table string) (*firewall, error) {
	conn, err := nftables.New(nftables.AsLasting())
	if err != nil {
		return nil, fmt.Errorf("opening nftables: %w", err)
	}
	return &firewall{conn: conn, table: &nftables.Table{Name: table, Family: nftables.TableFamilyIPv4}}, nil
}

func (fw *firewall) close() { fw.conn.CloseLasting() }

func (fw *firewall) chain(name string) *nftables.Chain {
	return &nftables.Chain{Name: name, Table: fw.table}
}

// baseChain is a chain hooked into the kernel.
func (fw *firewall) baseChain(name string, typ nftables.ChainType, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
	accept := nftables.ChainPolicyAccept
	return &nftables.Chain{Name: name, Table: fw.table, Type: typ, Hooknum: hook, Priority: prio, Policy: &accept}
}

// tag is the comment that ties a rule to its owner.
func tag(kind, name string) []byte {
	return userdata.AppendString(nil, userdata.TypeComment, kind+" "+name)
}

func (fw *firewall) add(chain, owner string, e []expr.Any) {
	fw.conn.AddRule(&nftables.Rule{Table: fw.table, Chain: fw.chain(chain), Exprs: e, UserData: []byte(owner)})
}

// rebuild replaces the whole table in one transaction: packets see the
// old rules or the new ones, never none. New calls it (which also drops
// any rule a crash left behind), and so do network changes.
func (fw *firewall) rebuild(nets []fwNetwork, eps []fwEndpoint) error {
	c := fw.conn
	// Adding before deleting makes the delete succeed when the table
	// does not exist yet.
	c.AddTable(fw.table)
	c.DelTable(fw.table)
	c.AddTable(fw.table)
	c.AddChain(fw.baseChain(chainRaw, nftables.ChainTypeFilter, nftables.ChainHookPrerouting, nftables.ChainPriorityRaw))
	c.AddChain(fw.baseChain(chainPrerouting, nftables.ChainTypeNAT, nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest))
	c.AddChain(fw.baseChain(chainOutput, nftables.ChainTypeNAT, nftables.ChainHookOutput, nftables.ChainPriorityNATDest))
	c.AddChain(fw.chain(chainPorts))
	c.AddChain(fw.baseChain(chainPostrouting, nftables.ChainTypeNAT, nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource))
	c.AddChain(fw.baseChain(chainForward, nftables.ChainTypeFilter, nftables.ChainHookForward, nftables.ChainPriorityFilter))
	for _, n := range nets {
		fw.addNetworkRules(n, nets)
	}
	c.AddRule(&nftables.Rule{Table: fw.table, Chain: fw.chain(chainPrerouting), Exprs: rule(matchDaddrLocal(), one(jump(chainPorts)))})
	c.AddRule(&nftables.Rule{Table: fw.table, Chain: fw.chain(chainOutput), Exprs: rule(matchDaddrLocal(), one(jump(chainPorts)))})
	for _, ep := range eps {
		fw.addPortRules(ep)
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("writing nftables table ip %s: %w", fw.table.Name, err)
	}
	return nil
}

// addNetworkRules queues the rules of one bridge network (all are the
// networks of the table, n among them).
func (fw *firewall) addNetworkRules(n fwNetwork, all []fwNetwork) {
	owner := string(tag("network", n.name))
	// A packet from the bridge to 127.0.0.0/8 is only possible because
	// route_localnet is on; none is legitimate (replies to localhost
	// connections are addressed to the bridge's address until NAT,
	// which runs after this priority).
	fw.add(chainRaw, owner, rule(matchIif(n.bridge), matchAddrIn(offDaddr, loopbackNet()), one(verdict(expr.VerdictDrop))))
	if n.dnsUDP != 0 {
		fw.add(chainPrerouting, owner, rule(matchIif(n.bridge), matchAddrIn(offDaddr, netip.PrefixFrom(n.gateway, 32)),
			matchPort(UDP, 53), dnatTo(n.gateway, n.dnsUDP)))
	}
	if n.dnsTCP != 0 {
		fw.add(chainPrerouting, owner, rule(matchIif(n.bridge), matchAddrIn(offDaddr, netip.PrefixFrom(n.gateway, 32)),
			matchPort(TCP, 53), dnatTo(n.gateway, n.dnsTCP)))
	}
	masq := one(&expr.Masq{})
	// Outbound: the containers' addresses are private to this host.
	fw.add(chainPostrouting, owner, rule(matchAddrIn(offSaddr, n.subnet), matchOif(n.bridge, true), masq))
	// Published ports reached on 127.0.0.1: the container must answer
	// the bridge's address, not its own loopback.
	fw.add(chainPostrouting, owner, rule(matchOif(n.bridge, false), matchAddrIn(offSaddr, loopbackNet()), masq))
	// Hairpin: a container reaching a published port of its own network
	// through the host must get the answer back through the host too.
	fw.add(chainPostrouting, owner, rule(matchOif(n.bridge, false), matchAddrIn(offSaddr, n.subnet), matchCtDNAT(), masq))
	accept := one(verdict(expr.VerdictAccept))
	drop := one(verdict(expr.VerdictDrop))
	// Isolation from our other networks, before the state is looked at:
	// a packet routed from another of our bridges into this one is
	// dropped unless its connection was DNATed (a published port), even
	// when conntrack calls it a reply. A container connected to both
	// networks (network connect) forwards between its interfaces (a new
	// namespace inherits the host's forwarding), so a member of one
	// network could route a connection through it into the other; the
	// host sees that connection's first packet bridged (br_netfilter)
	// and would take the answers, which the server sends back through
	// its gateway, for replies. Docker's isolation chains are stateless
	// for the same reason.
	for _, o := range all {
		if o.bridge != n.bridge {
			fw.add(chainForward, owner, rule(matchIif(o.bridge), matchOif(n.bridge, false), matchNotCtDNAT(), drop))
		}
	}
	fw.add(chainForward, owner, rule(matchOif(n.bridge, false), matchCtState(expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED), accept))
	fw.add(chainForward, owner, rule(matchIif(n.bridge), matchOif(n.bridge, false), accept))
	fw.add(chainForward, owner, rule(matchOif(n.bridge, false), matchCtDNAT(), accept))
	// Anything else into the bridge: other networks of ours, other hosts
	// routing to the subnet.
	fw.add(chainForward, owner, rule(matchOif(n.bridge, false), drop))
}

// addPortRules queues the DNAT rules of one container.
func (fw *firewall) addPortRules(ep fwEndpoint) {
	owner := string(tag("container", ep.id))
	for _, p := range ep.ports {
		var match []expr.Any
		if p.HostIP.IsValid() && !p.HostIP.IsUnspecified() {
			match = matchAddrIn(offDaddr, netip.PrefixFrom(p.HostIP, 32))
		}
		fw.add(chainPorts, owner, rule(match, matchPort(p.Proto, p.HostPort), dnatTo(ep.ip, p.ContainerPort)))
	}
}

// addPorts publishes the ports of one container, all or none.
func (fw *firewall) addPorts(ep fwEndpoint) error {
	fw.addPortRules(ep)
	if err := fw.conn.Flush(); err != nil {
		return fmt.Errorf("adding the port rules of %s to nftables table ip %s: %w", ep.id, fw.table.Name, err)
	}
	return nil
}

// removePorts deletes the port rules of container id; none is fine.
func (fw *firewall) removePorts(id string) error {
	rules, err := fw.conn.GetRules(fw.table, fw.chain(chainPorts))
	if err != nil {
		return fmt.Errorf("listing the port rules of nftables table ip %s: %w", fw.table.Name, err)
	}
	owner := string(tag("container", id))
	n := 0
	for _, r := range rules {
		if string(r.UserData) == owner {
			fw.conn.DelRule(r)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if err := fw.conn.Flush(); err != nil {
		return fmt.Errorf("removing the port rules of %s from nftables table ip %s: %w", id, fw.table.Name, err)
	}
	return nil
}

// destroy deletes the table.
func (fw *firewall) destroy() error {
	fw.conn.AddTable(fw.table)
	fw.conn.DelTable(fw.table)
	if err := fw.conn.Flush(); err != nil {
		return fmt.Errorf("deleting nftables table ip %s: %w", fw.table.Name, err)
	}
	return nil
}

// forwardDroppers lists the forward chains of other tables whose policy
// is drop: they drop our containers' forwarded traffic unless one of
// their rules accepts it, and we do not edit other tables.
func (fw *firewall) forwardDroppers() ([]string, error) {
	chains, err := fw.conn.ListChains()
	if err != nil {
		return nil, fmt.Errorf("listing nftables chains: %w", err)
	}
	return forwardDroppers(chains, fw.table), nil
}

// forwardDroppers is the filter of the method, apart for testing.
func forwardDroppers(chains []*nftables.Chain, ours *nftables.Table) []string {
	var out []string
	for _, c := range chains {
		if c.Hooknum == nil || *c.Hooknum != *nftables.ChainHookForward || c.Policy == nil || *c.Policy != nftables.ChainPolicyDrop {
			continue
		}
		fam, ok := map[nftables.TableFamily]string{unix.NFPROTO_IPV4: "ip", unix.NFPROTO_INET: "inet"}[c.Table.Family]
		if !ok || (c.Table.Name == ours.Name && c.Table.Family == ours.Family) {
			continue
		}
		out = append(out, fmt.Sprintf("table %s %s chain %s", fam, c.Table.Name, c.Name))
	}
	return out
}
