package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/internal/atomicfile"
)

// The layout of StateDir.
const (
	networksFile = "networks.json"
	endpointsDir = "endpoints"
	netnsDir     = "netns"
	lockFile     = "lock"
)

// networkRecord is a bridge network as persisted.
type networkRecord struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Bridge  string            `json:"bridge"`
	Subnet  netip.Prefix      `json:"subnet"`
	Gateway netip.Addr        `json:"gateway"`
	Created time.Time         `json:"created"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// endpointRecord is a container's attachment as persisted. It is written
// before anything is created in the kernel, so it names all that a crash
// may have left behind.
type endpointRecord struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	Network string   `json:"network"`
	Aliases []string `json:"aliases,omitempty"`
	// Netns is the mount of the namespace, or the caller's namespace
	// when External.
	Netns    string `json:"netns"`
	External bool   `json:"external,omitempty"`
	// HostVeth is the host's end of the veth pair ("" for None).
	HostVeth string        `json:"hostVeth,omitempty"`
	IP       netip.Addr    `json:"ip,omitzero"`
	MAC      string        `json:"mac,omitempty"`
	Ports    []PortMapping `json:"ports,omitempty"`
	// DNS are the upstreams of the network's responder for this
	// container (Request.DNS).
	DNS     []string  `json:"dns,omitempty"`
	Created time.Time `json:"created"`

	// Container is set on a container's further networks (Connect): the
	// container whose namespace the endpoint is in. Its ID is then
	// extraKey(Container, Network), and its interface Iface (eth1...).
	Container string `json:"container,omitempty"`
	Iface     string `json:"iface,omitempty"`
	// NetnsIno is the inode of an External namespace when Setup saw it:
	// Connect refuses to plumb a further interface into whatever the
	// path names later (a /proc/PID of a process that replaced the
	// container's).
	NetnsIno uint64 `json:"netnsIno,omitempty"`
}

// containerID is the container the endpoint belongs to.
func (r *endpointRecord) containerID() string {
	if r.Container != "" {
		return r.Container
	}
	return r.ID
}

// iface is the endpoint's interface in the container.
func (r *endpointRecord) iface() string {
	if r.Iface != "" {
		return r.Iface
	}
	return "eth0"
}

type networksFileContent struct {
	Networks []*networkRecord `json:"networks"`
}

func (m *Manager) endpointPath(id string) string {
	return filepath.Join(m.cfg.StateDir, endpointsDir, id+".json")
}

func (m *Manager) netnsPath(id string) string {
	return filepath.Join(m.cfg.StateDir, netnsDir, id)
}

// saveEndpoint persists rec. A record is written once and never
// changed, so it is written in place rather than renamed into place
// (which costs a quarter of a millisecond on ext4 here): a crash in the
// middle leaves a record that does not parse, which loadEndpoints
// reports as broken and Reconcile removes along with what its id names
// (the namespace mount; the veth is found on the bridge). Nothing else
// is lost, as nothing was created before the record.
func (m *Manager) saveEndpoint(rec *endpointRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(m.endpointPath(rec.ID), b, 0o600); err != nil {
		return fmt.Errorf("saving the network record of %s: %w", rec.ID, err)
	}
	return nil
}

// removeEndpoint removes the record of id; a missing one is fine.
func (m *Manager) removeEndpoint(id string) error {
	if err := os.Remove(m.endpointPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the network record of %s: %w", id, err)
	}
	return nil
}

// loadEndpoints reads every endpoint record. A record that cannot be
// parsed is returned as an id with a nil record, so that Reconcile can
// still remove what its id names.
func (m *Manager) loadEndpoints() (map[string]*endpointRecord, error) {
	dir := filepath.Join(m.cfg.StateDir, endpointsDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading network records: %w", err)
	}
	recs := map[string]*endpointRecord{}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || atomicfile.IsTemp(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading the network record of %s: %w", id, err)
		}
		var rec endpointRecord
		if err := json.Unmarshal(b, &rec); err != nil || rec.ID != id {
			recs[id] = nil
			continue
		}
		recs[id] = &rec
	}
	return recs, nil
}

// saveNetworks persists the networks; the caller holds m.mu.
func (m *Manager) saveNetworks() error {
	var c networksFileContent
	for _, n := range m.networks {
		c.Networks = append(c.Networks, n.rec)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(m.cfg.StateDir, networksFile), b, 0o600); err != nil {
		return fmt.Errorf("saving the networks: %w", err)
	}
	return nil
}

// loadNetworks reads the persisted networks; none is not an error.
func (m *Manager) loadNetworks() ([]*networkRecord, error) {
	b, err := os.ReadFile(filepath.Join(m.cfg.StateDir, networksFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the networks: %w", err)
	}
	var c networksFileContent
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", filepath.Join(m.cfg.StateDir, networksFile), err)
	}
	return c.Networks, nil
}
