package network

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"
)

// Reconcile removes everything of the containers not in live: their
// endpoints (as Teardown does), and then whatever no record claims —
// namespace mounts under StateDir/netns and veths on our bridges — and
// records that could not be read. The daemon calls it once at start,
// before any Setup, with the containers it knows to be running (a
// container it restarts later is set up again anyway).
func (m *Manager) Reconcile(ctx context.Context, live []string) error {
	keep := map[string]bool{}
	for _, id := range live {
		keep[id] = true
	}
	m.mu.Lock()
	var gone []*endpoint
	for _, ep := range m.endpoints {
		if !keep[ep.rec.containerID()] {
			gone = append(gone, ep)
		}
	}
	broken := m.broken
	m.broken = nil
	m.mu.Unlock()

	var errs []error
	for _, ep := range gone {
		ep.mu.Lock()
		if !ep.gone {
			if err := m.teardownLocked(ep); err != nil {
				errs = append(errs, fmt.Errorf("container %s: %w", ep.rec.ID, err))
			}
		}
		ep.mu.Unlock()
	}
	for _, id := range broken {
		if err := errors.Join(removeNetns(m.netnsPath(id)), m.removeEndpoint(id)); err != nil {
			errs = append(errs, fmt.Errorf("container %s (unreadable record): %w", id, err))
		}
	}
	m.reaping.Wait()
	if err := m.sweepNetns(); err != nil {
		errs = append(errs, err)
	}
	if err := m.sweepVeths(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("network: reconciling: %w", err)
	}
	return nil
}

// sweepNetns removes the namespace mounts that no endpoint claims.
func (m *Manager) sweepNetns() error {
	dir := filepath.Join(m.cfg.StateDir, netnsDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", dir, err)
	}
	var errs []error
	for _, e := range ents {
		m.mu.RLock()
		_, claimed := m.endpoints[e.Name()]
		m.mu.RUnlock()
		if !claimed {
			errs = append(errs, removeNetns(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// sweepVeths deletes the interfaces enslaved to our bridges that no
// endpoint claims (a record is written before its veth exists, so these
// come only from records lost otherwise).
func (m *Manager) sweepVeths() error {
	links, err := m.nl.LinkList()
	if err != nil {
		return fmt.Errorf("listing interfaces: %w", err)
	}
	m.mu.RLock()
	bridges := map[int]bool{}
	for _, n := range m.networks {
		bridges[n.index] = true
	}
	claimed := map[string]bool{}
	for _, ep := range m.endpoints {
		claimed[ep.rec.HostVeth] = true
	}
	m.mu.RUnlock()
	var errs []error
	for _, l := range links {
		a := l.Attrs()
		if a.MasterIndex == 0 || !bridges[a.MasterIndex] || claimed[a.Name] {
			continue
		}
		if _, isVeth := l.(*netlink.Veth); !isVeth && !strings.HasPrefix(a.Name, "crtv") {
			continue
		}
		errs = append(errs, m.deleteLink(a.Name))
	}
	return errors.Join(errs...)
}

// Destroy removes everything the Manager made: the endpoints, the
// bridges, our nftables table and our files in the state directory
// (the directory too when nothing else is in it). It closes the Manager.
// For uninstalling and for tests; a daemon never calls it.
func (m *Manager) Destroy(ctx context.Context) error {
	errs := []error{m.Reconcile(ctx, nil)}
	m.mu.Lock()
	var bridges []string
	for _, n := range m.networks {
		bridges = append(bridges, n.rec.Bridge)
		if n.dns != nil {
			n.dns.close()
			n.dns = nil
		}
	}
	m.mu.Unlock()
	for _, b := range bridges {
		errs = append(errs, m.deleteBridge(b))
	}
	m.fw.mu.Lock()
	errs = append(errs, m.fw.destroy())
	m.fw.mu.Unlock()
	dir := m.cfg.StateDir
	errs = append(errs, m.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("network: destroying: %w", err)
	}
	for _, name := range []string{networksFile, endpointsDir, netnsDir, lockFile} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("network: removing the state: %w", err)
		}
	}
	os.Remove(dir) // only if empty: it may hold more than ours
	return nil
}
