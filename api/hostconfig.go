package api

// Ulimit is one resource limit of the container's process (--ulimit
// NAME=SOFT[:HARD]); Name is Docker's (nofile, nproc, core, ...).
type Ulimit struct {
	Name string `json:"name"`
	Soft int64  `json:"soft"`
	Hard int64  `json:"hard"`
}

// DeviceMapping is a host device node made in the container (--device
// HOST[:CONTAINER[:PERMS]]); CgroupPermissions is a combination of r, w
// and m, as the device cgroup takes it.
type DeviceMapping struct {
	PathOnHost        string `json:"pathOnHost"`
	PathInContainer   string `json:"pathInContainer"`
	CgroupPermissions string `json:"cgroupPermissions"`
}
