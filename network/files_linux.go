package network

import (
	"fmt"
	"net/netip"

	"github.com/container-runtime/container-runtime/errdefs"
)

// writeFiles writes the container's hostname, hosts and resolv.conf
// under req.FilesDir (nothing without one). rec and n are nil for Host,
// n is nil for None.
func (m *Manager) writeFiles(req Request, rec *endpointRecord, n *netState) (Files, error) {
	if req.FilesDir == "" {
		return Files{}, nil
	}
	p := m.etcParams(req)
	if rec != nil && n != nil {
		p.IP, p.Gateway = rec.IP, n.rec.Gateway
	}
	return WriteEtcFiles(req.FilesDir, p)
}

// WriteEtcFiles writes the name-resolution files of a container that has
// no attachment yet into req.FilesDir, from this Manager's host files:
// complete for Host and None, and for a bridge or user network with the
// container's names on 127.0.1.1 until Setup writes its address. The
// container service writes them at create, so that the files it binds
// exist (and Setup, at start, rewrites them in place).
func (m *Manager) WriteEtcFiles(req Request) (Files, error) {
	if req.FilesDir == "" {
		return Files{}, fmt.Errorf("writing a container's /etc files: no directory: %w", errdefs.ErrInvalidArgument)
	}
	p := m.etcParams(req)
	m.mu.RLock()
	if n := m.networks[req.Network]; n != nil && req.Network != Host && req.Network != None {
		p.Gateway = n.rec.Gateway
	}
	m.mu.RUnlock()
	return WriteEtcFiles(req.FilesDir, p)
}

// etcParams are the request's, with the host's files of m.cfg and the
// default network's gateway for "host-gateway".
func (m *Manager) etcParams(req Request) EtcParams {
	return EtcParams{
		ContainerID: req.ContainerID, Name: req.Name, Network: req.Network, Hostname: req.Hostname,
		Aliases: req.Aliases, DNS: req.DNS, DNSSearch: req.DNSSearch, DNSOptions: req.DNSOptions,
		ExtraHosts: req.ExtraHosts,
		Gateway:    m.defaultGateway(),
		Host:       HostFiles{Hosts: m.cfg.HostsFile, ResolvConf: m.cfg.ResolvConf, ResolvedConf: m.cfg.ResolvedConf},
	}
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
