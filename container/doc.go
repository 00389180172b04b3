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
//	{Root,ExecRoot}/containers/.trash-<id>/  a removed container's directories, until emptied (trash.go)
//
// Three files describe a container; each says something the others do not,
// so they cannot disagree:
//
//   - the record in containers.db is the container: the create request,
//     the image, the name, the run state. Everything else is derived from
//     it.
//   - config.json is the spec derived from the record and the image at
//     create: the one place the spec is stored. It is written once, and
//     read at most once per daemon (the entry keeps its bytes); each start
//     and exec decodes its own copy from memory.
//   - the runtime's state.json is the record of one run: the spec of that
//     start (config.json with the user resolved against the container's
//     files as they are at start, as Docker resolves it), the PID and the
//     cgroup. It is handed to the runtime in memory (runtime.Create, then
//     StartCreated with the record Create returned) and written by the
//     runtime only for what must outlive this process: the OCI command
//     line, and Kill, Exec and Delete of a container that a daemon
//     re-adopted. It is deleted when the run ends.
package container
