package api

// NetworkConnect is the body of POST /v1/networks/{name}/connect
// (Docker's network connect).
type NetworkConnect struct {
	// Container is the container's name, id or unique id prefix.
	Container string `json:"container"`
	// Aliases are more names of the container on the network.
	Aliases []string `json:"aliases,omitempty"`
	// IPAddress asks for an address of the network's subnet
	// (user-defined networks only); empty picks a free one.
	IPAddress string `json:"ipAddress,omitempty"`
}

// NetworkDisconnect is the body of POST /v1/networks/{name}/disconnect.
type NetworkDisconnect struct {
	Container string `json:"container"`
	// Force also removes what is left of an attachment the container's
	// record does not name.
	Force bool `json:"force,omitempty"`
}

// NetworkPruneReport answers POST /v1/networks/prune.
type NetworkPruneReport struct {
	// NetworksDeleted are the names of the networks removed.
	NetworksDeleted []string `json:"networksDeleted"`
}

// ContainerNetwork is one network of a container in its inspect
// (Docker's NetworkSettings.Networks entry). The address fields are set
// while the container runs.
type ContainerNetwork struct {
	NetworkID   string   `json:"networkId,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	IPAddress   string   `json:"ipAddress,omitempty"`
	IPPrefixLen int      `json:"ipPrefixLen,omitempty"`
	Gateway     string   `json:"gateway,omitempty"`
	MacAddress  string   `json:"macAddress,omitempty"`
}
