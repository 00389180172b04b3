// Package container is the daemon's container service: it keeps container
// records in a bbolt database, turns an image and create options into an
// OCI spec and an overlay root filesystem, and drives each container
// through its lifecycle (create, start, stop, kill, restart, pause, wait,
// remove) with the low-level runtime and a per-container monitor process.
//
// The monitor, not the daemon, holds a running container's stdio, writes
// its log file and records its exit status, so that containers outlive a
// daemon restart: New re-adopts the containers whose monitors still run
// and records the exits that happened while the daemon was down.
//
// On disk:
//
//	Root/containers.db                 bbolt: containers (id → record JSON), names (name → id)
//	Root/containers/<id>/config.json   the OCI spec (built at create)
//	Root/containers/<id>/{upper,work}  the overlay's writable layer
//	Root/containers/<id>/rootfs        the overlay mount point (mounted while running)
//	Root/containers/<id>/{hostname,hosts,resolv.conf}  bind-mounted into the container
//	Root/containers/<id>/container.log* the monitor's log files
//	ExecRoot/containers/<id>/          the monitor's sockets and exit.json
//	ExecRoot/runtime/<id>/             the low-level runtime's state
package container
