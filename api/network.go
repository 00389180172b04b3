package api

import "time"

// PortBinding publishes a container port on the host (-p). In a request
// HostPort 0 asks for a free port; in an answer it is the port chosen.
type PortBinding struct {
	// HostIP restricts the binding to one address of the host; empty
	// means all of them.
	HostIP   string `json:"hostIp,omitempty"`
	HostPort uint16 `json:"hostPort"`
	// ContainerPort is the port inside the container (required).
	ContainerPort uint16 `json:"containerPort"`
	// Proto is "tcp" (the default when empty) or "udp".
	Proto string `json:"proto,omitempty"`
}

// NetworkCreate is the body of POST /v1/networks.
type NetworkCreate struct {
	Name string `json:"name"`
	// Subnet is an IPv4 CIDR (10.80.0.0/24); empty picks a free /24 from
	// the daemon's address pools.
	Subnet string            `json:"subnet,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Network describes a network: an entry of GET /v1/networks, the answer
// of POST /v1/networks and of GET /v1/networks/{name} (which also lists
// the containers attached).
type Network struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Driver is "bridge", "host" or "null" (the network none).
	Driver string `json:"driver"`
	// BridgeName, Subnet and Gateway are set for bridge networks.
	BridgeName string            `json:"bridgeName,omitempty"`
	Subnet     string            `json:"subnet,omitempty"`
	Gateway    string            `json:"gateway,omitempty"`
	Created    time.Time         `json:"created,omitzero"`
	Labels     map[string]string `json:"labels,omitempty"`
	Containers []NetworkEndpoint `json:"containers,omitempty"`
}

// NetworkEndpoint is a container attached to a network.
type NetworkEndpoint struct {
	ContainerID string        `json:"containerId"`
	Name        string        `json:"name,omitempty"`
	IPAddress   string        `json:"ipAddress,omitempty"`
	MacAddress  string        `json:"macAddress,omitempty"`
	Ports       []PortBinding `json:"ports,omitempty"`
}
