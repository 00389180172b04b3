package network

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
)

// A container's /etc/hostname, /etc/hosts and /etc/resolv.conf are made
// here and only here, for every network mode: by Setup (which knows the
// container's address) and, before a container's first Setup or for a
// container that never needs one, by WriteEtcFiles. The container service
// binds them over the image's files.
//
// What each mode gets (Docker's layout):
//
//	mode        hosts                                      resolv.conf
//	host        the host's hosts file, 127.0.1.1 for the   the host's, unless --dns,
//	            container's own hostname, extra hosts      --dns-search or --dns-option
//	none        localhost lines, 127.0.1.1 hostname,       the host's name servers made
//	            extra hosts                                usable in another namespace
//	bridge      localhost lines, address hostname name,    as none
//	            extra hosts
//	user net    localhost lines, address hostname name     the network's responder
//	            aliases, extra hosts                       (its gateway)
//
// Before Setup gives a bridge container its address, its names are on
// 127.0.1.1 (as for none); Setup rewrites the files in place.

// HostFiles are the host's files that a container's are made from.
type HostFiles struct {
	// Hosts is the host's hosts file, the base of a Host container's;
	// "/etc/hosts" if empty.
	Hosts string
	// ResolvConf is the host's resolv.conf; "/etc/resolv.conf" if empty.
	ResolvConf string
	// ResolvedConf lists systemd-resolved's upstream servers, used when
	// ResolvConf names only its loopback stub;
	// "/run/systemd/resolve/resolv.conf" if empty.
	ResolvedConf string
}

// withDefaults fills the empty paths.
func (h HostFiles) withDefaults() HostFiles {
	if h.Hosts == "" {
		h.Hosts = defaultHostsFile
	}
	if h.ResolvConf == "" {
		h.ResolvConf = defaultResolvConf
	}
	if h.ResolvedConf == "" {
		h.ResolvedConf = defaultResolvedConf
	}
	return h
}

// EtcParams say what goes into a container's name-resolution files.
type EtcParams struct {
	// ContainerID, Name, Network, Hostname, Aliases, DNS, DNSSearch,
	// DNSOptions and ExtraHosts are as in Request: an empty Network is
	// Bridge; an empty Hostname is the host's name for Host, else the
	// first 12 characters of ContainerID.
	ContainerID, Name, Network, Hostname string
	Aliases                              []string
	DNS, DNSSearch, DNSOptions           []string
	ExtraHosts                           []string
	// IP is the container's address on a bridge or user network; before
	// it has one (invalid) its names go on 127.0.1.1.
	IP netip.Addr
	// Gateway is the network's address on the host: what "host-gateway"
	// in ExtraHosts stands for (invalid: such an entry is refused) and a
	// user network's name server.
	Gateway netip.Addr
	// Host are the host's files read for the container's.
	Host HostFiles
}

// EtcFiles are the contents of a container's name-resolution files.
type EtcFiles struct {
	Hostname, Hosts, ResolvConf []byte
}

// selfAddr is where a container without an address of its own (none, or
// a bridge before Setup) finds its own names, as Debian puts the host's.
func selfAddr() netip.Addr { return netip.AddrFrom4([4]byte{127, 0, 1, 1}) }

// MakeEtcFiles makes a container's /etc/hostname, /etc/hosts and
// /etc/resolv.conf (see the table above). A bad extra host is
// ErrInvalidArgument; the host's files are read, a missing one is empty.
func MakeEtcFiles(p EtcParams) (EtcFiles, error) {
	host := p.Host.withDefaults()
	network := p.Network
	if network == "" {
		network = Bridge
	}
	hostname := p.Hostname
	if hostname == "" {
		if network == Host {
			hostname, _ = os.Hostname()
		} else {
			hostname = p.ContainerID[:min(12, len(p.ContainerID))]
		}
	}
	extra, err := parseExtraHosts(p.ExtraHosts, p.Gateway)
	if err != nil {
		return EtcFiles{}, err
	}
	hostResolv, err := readOptional(host.ResolvConf)
	if err != nil {
		return EtcFiles{}, err
	}
	hostRC := parseResolvConf(hostResolv)
	search := orDefault(p.DNSSearch, hostRC.search)
	options := orDefault(p.DNSOptions, hostRC.options)
	// nameservers are those of a container outside the host's network
	// namespace: its own (--dns), else the host's made usable.
	nameservers := func() ([]string, error) {
		if len(p.DNS) > 0 {
			return p.DNS, nil
		}
		resolved, err := readOptional(host.ResolvedConf)
		if err != nil {
			return nil, err
		}
		return containerNameservers(hostRC, parseResolvConf(resolved)), nil
	}

	f := EtcFiles{Hostname: []byte(hostname + "\n")}
	switch network {
	case Host:
		base, err := readOptional(host.Hosts)
		if err != nil {
			return EtcFiles{}, err
		}
		if len(base) == 0 {
			base = []byte(localhostLines)
		}
		// A hostname of the container's own (its UTS namespace has it)
		// must resolve; the host's file knows only the host's name.
		var self []string
		if p.Hostname != "" {
			self = []string{p.Hostname}
		}
		f.Hosts = renderHosts(base, selfAddr(), self, extra)
		f.ResolvConf = hostResolv
		if len(p.DNS)+len(p.DNSSearch)+len(p.DNSOptions) > 0 {
			f.ResolvConf = renderResolvConf(host.ResolvConf, orDefault(p.DNS, hostRC.nameservers), search, options)
		}
		return f, nil
	case None:
		f.Hosts = renderHosts([]byte(localhostLines), selfAddr(), []string{hostname}, extra)
	case Bridge:
		f.Hosts = renderHosts([]byte(localhostLines), p.addr(), uniqueNames(hostname, p.Name), extra)
	default: // a user network: its responder resolves
		names := uniqueNames(append([]string{hostname, p.Name}, p.Aliases...)...)
		f.Hosts = renderHosts([]byte(localhostLines), p.addr(), names, extra)
		if p.Gateway.IsValid() {
			f.ResolvConf = renderResolvConf("the network "+network, []string{p.Gateway.String()}, search, options)
			return f, nil
		}
	}
	servers, err := nameservers()
	if err != nil {
		return EtcFiles{}, err
	}
	f.ResolvConf = renderResolvConf(host.ResolvConf, servers, search, options)
	return f, nil
}

// addr is where the container's names go in its hosts file.
func (p EtcParams) addr() netip.Addr {
	if p.IP.IsValid() {
		return p.IP
	}
	return selfAddr()
}

// EtcPaths are where WriteEtcFiles puts a container's files in dir.
func EtcPaths(dir string) Files {
	return Files{
		Hostname:   filepath.Join(dir, "hostname"),
		Hosts:      filepath.Join(dir, "hosts"),
		ResolvConf: filepath.Join(dir, "resolv.conf"),
	}
}

// WriteEtcFiles makes a container's name-resolution files (MakeEtcFiles)
// and writes them into dir (EtcPaths). Existing files are rewritten in
// place, not replaced, so that a container that binds them already sees
// the new content.
func WriteEtcFiles(dir string, p EtcParams) (Files, error) {
	ef, err := MakeEtcFiles(p)
	if err != nil {
		return Files{}, err
	}
	f := EtcPaths(dir)
	for _, w := range []struct {
		path string
		data []byte
	}{{f.Hostname, ef.Hostname}, {f.Hosts, ef.Hosts}, {f.ResolvConf, ef.ResolvConf}} {
		if err := os.WriteFile(w.path, w.data, 0o644); err != nil {
			return Files{}, fmt.Errorf("writing %s: %w", w.path, err)
		}
	}
	return f, nil
}

// readOptional reads a file; a missing one is empty.
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}
