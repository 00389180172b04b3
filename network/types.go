package network

import (
	"net/netip"
	"time"
)

// The predefined networks. Any other name is a user-defined network.
const (
	// None gives the container a network namespace with only lo, up.
	None = "none"
	// Host leaves the container in the host's network namespace.
	Host = "host"
	// Bridge is the default network: the daemon's bridge with NAT.
	Bridge = "bridge"
)

// The transport protocols a port can be published for.
const (
	TCP = "tcp"
	UDP = "udp"
)

// PortMapping publishes a container port on the host.
type PortMapping struct {
	// HostIP restricts the mapping to one address of the host; the zero
	// value means all of them.
	HostIP netip.Addr `json:"hostIP,omitzero"`
	// HostPort is the port on the host; 0 asks for a free one, which
	// Attachment.Ports reports.
	HostPort uint16 `json:"hostPort"`
	// ContainerPort is the port inside the container.
	ContainerPort uint16 `json:"containerPort"`
	// Proto is TCP or UDP; empty means TCP.
	Proto string `json:"proto"`
}

// Request asks Setup to connect a container to a network.
type Request struct {
	// ContainerID names the attachment; it is also a file name under
	// StateDir, so it is limited to letters, digits, '_', '-' and '.'.
	ContainerID string
	// Name is the container's name: other containers of a user-defined
	// network resolve it.
	Name string
	// Network is None, Host, Bridge or a user-defined network's name.
	Network string
	// Hostname goes to /etc/hostname and /etc/hosts; empty means the
	// first 12 characters of the id (the host's name for Host).
	Hostname string
	// Aliases are more names the container answers to on a user-defined
	// network.
	Aliases []string
	// Ports are published on the host (Bridge and user networks only).
	Ports []PortMapping
	// DNS, DNSSearch and DNSOptions replace the host's nameserver,
	// search and options lines in resolv.conf. On a user-defined network
	// the container asks the network's responder, which forwards to DNS.
	DNS        []string
	DNSSearch  []string
	DNSOptions []string
	// ExtraHosts are "name:address" lines for /etc/hosts ("name=address"
	// too); the address "host-gateway" means the bridge's address.
	ExtraHosts []string
	// FilesDir, when set, receives the container's hostname, hosts and
	// resolv.conf files (the caller binds them into the container).
	// Existing files are rewritten in place, so a container that binds
	// them already sees the new content.
	FilesDir string
	// NetnsPath, when set, is an existing network namespace to configure
	// (e.g. /proc/PID/ns/net of a container made by runtime.Create, not
	// yet started) instead of one Setup creates. Teardown leaves it
	// alone; it goes with the container's processes.
	NetnsPath string
}

// Attachment is what Setup made for a container.
type Attachment struct {
	// ContainerID and Network repeat the request.
	ContainerID string `json:"containerID"`
	Network     string `json:"network"`
	// NetnsPath is the network namespace to join ("" for Host).
	NetnsPath string `json:"netnsPath,omitempty"`
	// Iface is the interface in the container (eth0; eth1... for the
	// networks Connect added) and Aliases its names on the network.
	Iface   string   `json:"iface,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// IP, PrefixLen, Gateway and MAC describe the container's interface (zero
	// for None and Host).
	IP        netip.Addr `json:"ip,omitzero"`
	PrefixLen int        `json:"prefixLen,omitempty"`
	Gateway   netip.Addr `json:"gateway,omitzero"`
	MAC       string     `json:"mac,omitempty"`
	// Ports are the published ports, host ports chosen.
	Ports []PortMapping `json:"ports,omitempty"`
	// Files are the paths written under Request.FilesDir.
	Files Files `json:"files,omitzero"`
}

// Files are the name-resolution files written for a container.
type Files struct {
	Hostname   string `json:"hostname,omitempty"`
	Hosts      string `json:"hosts,omitempty"`
	ResolvConf string `json:"resolvConf,omitempty"`
}

// NetworkOptions describe a user-defined network to create.
type NetworkOptions struct {
	// Name is unique among networks; None, Host and Bridge are taken.
	Name string
	// Subnet is the network's IPv4 subnet; the zero value picks a free
	// /24 from Config.AddressPools.
	Subnet netip.Prefix
	// Labels are kept and shown by inspect.
	Labels map[string]string
}

// Network describes a network.
type Network struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Driver is "bridge", "host" or "null" (for None), as Docker says.
	Driver string `json:"driver"`
	// BridgeName, Subnet and Gateway are set for bridge networks.
	BridgeName string            `json:"bridgeName,omitempty"`
	Subnet     netip.Prefix      `json:"subnet,omitzero"`
	Gateway    netip.Addr        `json:"gateway,omitzero"`
	Created    time.Time         `json:"created,omitzero"`
	Labels     map[string]string `json:"labels,omitempty"`
	// Containers are the attached containers (inspect only).
	Containers []Endpoint `json:"containers,omitempty"`
}

// Endpoint is a container attached to a network.
type Endpoint struct {
	ContainerID string        `json:"containerID"`
	Name        string        `json:"name,omitempty"`
	IP          netip.Addr    `json:"ip,omitzero"`
	MAC         string        `json:"mac,omitempty"`
	Ports       []PortMapping `json:"ports,omitempty"`
	Aliases     []string      `json:"aliases,omitempty"`
}
