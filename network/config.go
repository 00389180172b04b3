package network

import (
	"fmt"
	"net/netip"

	"github.com/container-runtime/container-runtime/errdefs"
)

// Config sets up a Manager. Two Managers on one machine (a daemon and a
// test daemon, say) need different StateDir, BridgeName, NFTable and
// subnets: they would otherwise share the bridge and the rules.
type Config struct {
	// StateDir keeps the records (networks.json, endpoints/) and the
	// namespace mounts (netns/). Required.
	StateDir string
	// BridgeName is the bridge of the default network; "crt0" if empty.
	BridgeName string
	// Subnet of the default network; the zero value picks the first of
	// DefaultSubnets() that no route or address of the host overlaps. It
	// matters only when the default network is first created: afterwards
	// its record keeps the subnet.
	Subnet netip.Prefix
	// NFTable is our nftables table (family ip); "container-runtime" if
	// empty.
	NFTable string
	// AddressPools are carved into /24s for user-defined networks created
	// without a subnet; DefaultAddressPools() if empty.
	AddressPools []netip.Prefix
	// BridgePrefix starts the names of user-defined networks' bridges
	// (the rest is from the network's id); "crt-" if empty.
	BridgePrefix string
	// ResolvConf is the host's resolv.conf; "/etc/resolv.conf" if empty.
	ResolvConf string
	// ResolvedConf lists systemd-resolved's upstream servers, used when
	// ResolvConf names only its loopback stub;
	// "/run/systemd/resolve/resolv.conf" if empty.
	ResolvedConf string
	// HostsFile is the host's hosts file, the base of a Host container's;
	// "/etc/hosts" if empty.
	HostsFile string
	// DNSUpstreams are where the user networks' responders forward
	// names they do not know; empty means the name servers of
	// ResolvConf, port 53.
	DNSUpstreams []netip.AddrPort

	// hooks lets tests stop Setup at a step (crash tests).
	hooks *testHooks
}

// testHooks are called by Setup between steps; tests only.
type testHooks struct {
	// afterStep runs after each step of Setup ("record", "netns", "veth",
	// "address", "ports", "files").
	afterStep func(id, step string)
}

// DefaultSubnets are tried in order for the default network. No other
// engine we know uses them by default (Docker takes 172.17.0.0/16,
// Podman 10.88.0.0/16), and one that a route or address of the host
// overlaps is skipped.
func DefaultSubnets() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("10.66.0.0/16"), netip.MustParsePrefix("10.67.0.0/16"),
		netip.MustParsePrefix("10.68.0.0/16"), netip.MustParsePrefix("10.69.0.0/16"),
		netip.MustParsePrefix("172.29.0.0/16"), netip.MustParsePrefix("172.30.0.0/16"),
	}
}

// DefaultAddressPools hold the subnets of user-defined networks.
func DefaultAddressPools() []netip.Prefix {
	return []netip.Prefix{netip.MustParsePrefix("10.72.0.0/13"), netip.MustParsePrefix("172.24.0.0/14")}
}

const (
	defaultBridgeName   = "crt0"
	defaultNFTable      = "container-runtime"
	defaultBridgePrefix = "crt-"
	defaultResolvConf   = "/etc/resolv.conf"
	defaultResolvedConf = "/run/systemd/resolve/resolv.conf"
	defaultHostsFile    = "/etc/hosts"
	// userSubnetBits is the size of the subnets picked from the pools.
	userSubnetBits = 24
)

// withDefaults fills the empty fields of cfg and checks the others.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.StateDir == "" {
		return cfg, fmt.Errorf("network: Config.StateDir is required: %w", errdefs.ErrInvalidArgument)
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.BridgeName, defaultBridgeName)
	def(&cfg.NFTable, defaultNFTable)
	def(&cfg.BridgePrefix, defaultBridgePrefix)
	def(&cfg.ResolvConf, defaultResolvConf)
	def(&cfg.ResolvedConf, defaultResolvedConf)
	def(&cfg.HostsFile, defaultHostsFile)
	if len(cfg.AddressPools) == 0 {
		cfg.AddressPools = DefaultAddressPools()
	}
	if err := checkIfname(cfg.BridgeName); err != nil {
		return cfg, fmt.Errorf("network: Config.BridgeName: %w", err)
	}
	if len(cfg.BridgePrefix) > 7 {
		return cfg, fmt.Errorf("network: Config.BridgePrefix %q is longer than 7 bytes: %w", cfg.BridgePrefix, errdefs.ErrInvalidArgument)
	}
	if cfg.Subnet.IsValid() {
		if err := checkSubnet(cfg.Subnet); err != nil {
			return cfg, fmt.Errorf("network: Config.Subnet: %w", err)
		}
	}
	for _, p := range cfg.AddressPools {
		if !p.Addr().Is4() || p.Bits() > userSubnetBits {
			return cfg, fmt.Errorf("network: address pool %s must be IPv4 and /%d or larger: %w", p, userSubnetBits, errdefs.ErrInvalidArgument)
		}
	}
	return cfg, nil
}

// checkIfname checks an interface name: 1 to 15 bytes, no '/', no
// spaces, not "." or "..".
func checkIfname(name string) error {
	if name == "" || len(name) > 15 || name == "." || name == ".." {
		return fmt.Errorf("interface name %q must be 1 to 15 bytes: %w", name, errdefs.ErrInvalidArgument)
	}
	for _, c := range name {
		if c == '/' || c == ':' || c <= ' ' || c > '~' {
			return fmt.Errorf("interface name %q has a forbidden character %q: %w", name, c, errdefs.ErrInvalidArgument)
		}
	}
	return nil
}

// checkSubnet accepts IPv4 subnets from /8 to /29 given by their network
// address.
func checkSubnet(p netip.Prefix) error {
	if !p.Addr().Is4() || p.Bits() < 8 || p.Bits() > 29 {
		return fmt.Errorf("subnet %s must be IPv4, /8 to /29: %w", p, errdefs.ErrInvalidArgument)
	}
	if p.Masked() != p {
		return fmt.Errorf("subnet %s is not a network address (did you mean %s?): %w", p, p.Masked(), errdefs.ErrInvalidArgument)
	}
	return nil
}

// checkID accepts container ids and network names usable as file names.
func checkID(what, s string) error {
	if s == "" || len(s) > 128 || s == "." || s == ".." {
		return fmt.Errorf("%s %q must be 1 to 128 characters: %w", what, s, errdefs.ErrInvalidArgument)
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
		if !ok {
			return fmt.Errorf("%s %q: only letters, digits, '_', '-' and '.' are allowed: %w", what, s, errdefs.ErrInvalidArgument)
		}
	}
	return nil
}
