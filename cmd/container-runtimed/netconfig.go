package main

import (
	"flag"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"

	"github.com/container-runtime/container-runtime/network"
)

// netConfig are the network manager's settings. Two daemons on one
// machine (an installed one and a test's) need different ones: they would
// share the bridge and the nftables table otherwise.
type netConfig struct {
	bridgeName   string
	bridgeSubnet string
	nftTable     string
	pools        string
	bridgePrefix string
}

func (n *netConfig) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&n.bridgeName, "bridge-name", "", "the default network's bridge (default crt0)")
	fs.StringVar(&n.bridgeSubnet, "bridge-subnet", "", "the default network's IPv4 subnet, when it is first created (default: the first free of 10.66.0.0/16, 10.67.0.0/16, ...)")
	fs.StringVar(&n.nftTable, "nft-table", "", "our nftables table, family ip (default container-runtime)")
	fs.StringVar(&n.pools, "address-pools", "", "comma-separated IPv4 prefixes carved into /24s for user-defined networks (default 10.72.0.0/13,172.24.0.0/14)")
	fs.StringVar(&n.bridgePrefix, "bridge-prefix", "", "how the bridges of user-defined networks are named (default crt-)")
}

// check parses what can be parsed before the daemon starts.
func (n *netConfig) check() error {
	_, err := n.manager("/")
	return err
}

// manager returns the network manager's configuration, its state under
// root (INSTALL_PATH/network).
func (n *netConfig) manager(root string) (network.Config, error) {
	cfg := network.Config{
		StateDir: filepath.Join(root, "network"), BridgeName: n.bridgeName,
		NFTable: n.nftTable, BridgePrefix: n.bridgePrefix,
	}
	if n.bridgeSubnet != "" {
		p, err := netip.ParsePrefix(n.bridgeSubnet)
		if err != nil {
			return cfg, fmt.Errorf("--bridge-subnet %q: want an IPv4 CIDR such as 10.66.0.0/16", n.bridgeSubnet)
		}
		cfg.Subnet = p
	}
	if n.pools != "" {
		for s := range strings.SplitSeq(n.pools, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(s))
			if err != nil {
				return cfg, fmt.Errorf("--address-pools: %q is not an IPv4 CIDR", s)
			}
			cfg.AddressPools = append(cfg.AddressPools, p)
		}
	}
	return cfg, nil
}
