package network

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
)

// writeFiles writes the container's hostname, hosts and resolv.conf
// under req.FilesDir (nothing without one). rec and n are nil for Host,
// n is nil for None.
func (m *Manager) writeFiles(req Request, rec *endpointRecord, n *netState) (Files, error) {
	if req.FilesDir == "" {
		return Files{}, nil
	}
	hostname := req.Hostname
	if hostname == "" {
		if req.Network == Host {
			hostname, _ = os.Hostname()
		} else {
			hostname = req.ContainerID[:min(12, len(req.ContainerID))]
		}
	}
	hostGateway := m.defaultGateway()
	if n != nil {
		hostGateway = n.rec.Gateway
	}
	extra, err := parseExtraHosts(req.ExtraHosts, hostGateway)
	if err != nil {
		return Files{}, err
	}
	hostResolv, err := readOptional(m.cfg.ResolvConf)
	if err != nil {
		return Files{}, err
	}
	hostRC := parseResolvConf(hostResolv)
	search := orDefault(req.DNSSearch, hostRC.search)
	options := orDefault(req.DNSOptions, hostRC.options)

	var hosts, resolv []byte
	switch {
	case rec == nil: // Host: the host's files
		base, err := readOptional(m.cfg.HostsFile)
		if err != nil {
			return Files{}, err
		}
		if len(base) == 0 {
			base = []byte(localhostLines)
		}
		hosts = renderHosts(base, netip.Addr{}, nil, extra)
		resolv = hostResolv
		if len(req.DNS)+len(req.DNSSearch)+len(req.DNSOptions) > 0 {
			resolv = renderResolvConf(m.cfg.ResolvConf, orDefault(req.DNS, hostRC.nameservers), search, options)
		}
	case n == nil: // None
		hosts = renderHosts([]byte(localhostLines), netip.AddrFrom4([4]byte{127, 0, 1, 1}), []string{hostname}, extra)
		resolv = renderResolvConf(m.cfg.ResolvConf, m.containerNameservers(req, hostRC), search, options)
	case n.rec.Name != Bridge: // a user network: its responder resolves
		names := uniqueNames(append([]string{hostname, req.Name}, req.Aliases...)...)
		hosts = renderHosts([]byte(localhostLines), rec.IP, names, extra)
		resolv = renderResolvConf("the network "+n.rec.Name, []string{n.rec.Gateway.String()}, search, options)
	default: // the default bridge
		hosts = renderHosts([]byte(localhostLines), rec.IP, uniqueNames(hostname, req.Name), extra)
		resolv = renderResolvConf(m.cfg.ResolvConf, m.containerNameservers(req, hostRC), search, options)
	}
	f := Files{
		Hostname:   filepath.Join(req.FilesDir, "hostname"),
		Hosts:      filepath.Join(req.FilesDir, "hosts"),
		ResolvConf: filepath.Join(req.FilesDir, "resolv.conf"),
	}
	// Written in place: no container reads them yet (a restarted
	// container's previous process is gone).
	for p, data := range map[string][]byte{f.Hostname: []byte(hostname + "\n"), f.Hosts: hosts, f.ResolvConf: resolv} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return Files{}, fmt.Errorf("writing %s: %w", p, err)
		}
	}
	return f, nil
}

// containerNameservers are the nameserver lines of a container outside
// the host's namespace: its own (--dns), else the host's made usable.
func (m *Manager) containerNameservers(req Request, hostRC resolvConf) []string {
	if len(req.DNS) > 0 {
		return req.DNS
	}
	resolved, _ := readOptional(m.cfg.ResolvedConf)
	return containerNameservers(hostRC, parseResolvConf(resolved))
}

// defaultGateway is the default network's address on the host.
func (m *Manager) defaultGateway() netip.Addr {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if n := m.networks[Bridge]; n != nil {
		return n.rec.Gateway
	}
	return netip.Addr{}
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
