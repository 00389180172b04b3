// Package network gives containers their network: "none" (a namespace of
// their own with only lo), "host" (the host's stack), "bridge" (the
// default: a Linux bridge owned by the daemon, an address from a subnet,
// NAT for outbound traffic, published ports) and user-defined networks (a
// bridge and subnet each, name resolution between their members,
// isolation from other networks).
//
// A Manager does it all; the daemon holds one. Setup runs before a
// container's process runs: it creates a network namespace, bind-mounts
// it under StateDir/netns/<id> and returns that path, which the runtime
// joins through the spec (specs.LinuxNamespace{Type: "network", Path: p}).
// A caller that lets the runtime create the namespace passes it instead
// (Request.NetnsPath, e.g. /proc/PID/ns/net between runtime.Create and
// Start). Teardown undoes Setup and may be called any number of times;
// the host end of the veth pair is deleted in the background, because
// deleting a network device waits for an RCU grace period (about 25 ms
// here, ten times a whole Setup).
//
// # State and recovery
//
// Every Setup first writes the container's endpoint record (address,
// veth name, published ports) to StateDir/endpoints/<id>.json, before it
// creates anything in the kernel, and Teardown removes the record after
// the rules and the namespace mount (the veth goes in the background;
// a crash then leaves it on the bridge, where Reconcile finds it).
// So after a crash at any point, whatever may exist is named by a record
// or sits on one of our bridges. New loads them (addresses stay unique across restarts) and
// rebuilds our nftables table from them in one atomic transaction;
// Reconcile(live) then tears down every endpoint whose container is not
// live, and sweeps veths on our bridges and namespace mounts that no
// record claims. Networks (StateDir/networks.json) follow the same
// order: the record first on create, last on remove.
//
// # Further networks
//
// Connect gives a container that Setup attached one more bridge
// network, as Docker's network connect: an endpoint of its own (record
// endpoints/<container>+<network>.json, written first, as Setup's) with
// a veth pair whose container end is the next free ethN, an address,
// and no default route. Disconnect removes one; the container's
// Teardown removes all of them before its own endpoint. Connect refuses
// a namespace path that no longer names the namespace Setup saw (by
// inode), so that a reused PID never gets another process an interface.
// The responder of a network answers a client with the names of every
// user-defined network the client's container is on.
//
// # Firewall
//
// All rules live in one nftables table of our own (Config.NFTable, family
// ip); other tables, Docker's and iptables-nft's included, are never
// changed (New only lists their chains, to warn about a drop policy). The table has base chains at prerouting (raw
// and dstnat), output (dstnat), postrouting (srcnat) and forward (filter,
// policy accept). Rules only match our bridges, our subnets and our
// published ports, so traffic of other software is not affected.
// Isolation between our networks is stateless (iif one of our bridges,
// oif another, not DNATed: drop), because a container on two networks
// forwards between them and the host's conntrack, which saw the first
// packet bridged, would take the answers for replies.
//
// The host's FORWARD policy is respected: an accept in our table cannot
// override a drop in another table at the same hook (that is how
// nftables works), and we never edit other tables. New turns
// net.ipv4.ip_forward on (as Docker does) and, when another table has a
// forward chain whose policy is drop (Docker's iptables does this), says
// so in Warnings: the administrator must allow our bridges there.
//
// # Published ports
//
// A published port is a DNAT rule matched on "fib daddr type local", in
// prerouting (other hosts, other containers) and output (the host
// itself). The host port is also bound, without listening, by a socket
// the Manager holds, so that a port in use is found at Setup (bind fails)
// and no other process can take a published port later.
//
// Connections from the host to 127.0.0.1 are DNATed too. Their source
// 127.0.0.1 may leave through the bridge only with route_localnet=1 on
// the bridge, and is then masqueraded to the bridge's address. We chose
// this over a userland proxy: no process or goroutine per port, no copy
// per connection, and it keeps working while the daemon restarts. The
// known risk of route_localnet (CVE-2020-8558: a neighbour sending
// packets to 127.0.0.1 through the interface reaches the host's loopback
// services) is closed by a raw-priority rule that drops packets arriving
// on our bridges with a loopback destination, before NAT can rewrite
// anything.
//
// # Name resolution
//
// Containers on a user-defined network resolve each other by container
// name, aliases and short (12-character) id, as Docker's embedded DNS, through a small DNS responder the Manager runs per
// network on the bridge's address (Podman's aardvark-dns does the same);
// the containers' resolv.conf names it. Unknown names are forwarded to
// the host's resolvers (loopback ones work: the responder lives in the
// host's namespace). We chose it over maintained /etc/hosts files because
// a container's /etc/hosts is a bind mount of one inode: it can only be
// rewritten in place, never atomically, and a container started later
// would have to be added to the files of all others. The responder
// listens on a port picked by the kernel; a DNAT rule sends the bridge's
// port 53 there, so a DNS server of the host bound to port 53 on all
// addresses does not conflict. It answers only clients of its own
// network. The default "bridge" network has no name resolution between
// containers (as Docker's): its containers get the host's resolv.conf
// with loopback name servers replaced.
package network
