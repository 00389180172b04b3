package api

import "time"

// ContainerCreate is the body of POST /v1/containers.
type ContainerCreate struct {
	Name  string `json:"name,omitempty"`
	Image string `json:"image"`
	// Cmd replaces the image's Cmd; Entrypoint replaces the image's OCI
	// Entrypoint (pulled images). Images we build keep their startup
	// commands whatever Cmd is.
	Cmd        []string `json:"cmd,omitempty"`
	Entrypoint []string `json:"entrypoint,omitempty"`
	Env        []string `json:"env,omitempty"`
	WorkingDir string   `json:"workingDir,omitempty"`
	User       string   `json:"user,omitempty"`
	Hostname   string   `json:"hostname,omitempty"`
	// Network is "bridge" (the default), "host", "none" (the seed's) or
	// the name of a network made by POST /v1/networks.
	Network string            `json:"network,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	// Ports are published on the host at every start (-p); bridge
	// networks only. PublishAll also publishes every port the image
	// exposes on a free host port (-P).
	Ports      []PortBinding `json:"ports,omitempty"`
	PublishAll bool          `json:"publishAll,omitempty"`
	// DNS replaces the name servers of the container's resolv.conf
	// (--dns); ExtraHosts are NAME:ADDRESS lines added to its /etc/hosts
	// (--add-host; the address host-gateway is the host as the container
	// sees it).
	DNS        []string `json:"dns,omitempty"`
	ExtraHosts []string `json:"extraHosts,omitempty"`
	// NetworkAliases are more names the container answers to on its
	// user-defined network (--network-alias), besides its name.
	NetworkAliases []string `json:"networkAliases,omitempty"`

	Tty       bool `json:"tty,omitempty"`
	OpenStdin bool `json:"openStdin,omitempty"`
	// ConsoleSize is the terminal's [rows, columns] (Docker's
	// HostConfig.ConsoleSize), set before the process starts (with Tty).
	ConsoleSize [2]uint16 `json:"consoleSize,omitzero"`

	Resources Resources `json:"resources,omitempty"`
	Mounts    []Mount   `json:"mounts,omitempty"`
	ReadOnly  bool      `json:"readOnly,omitempty"`
	// VolumesFrom mounts every volume and bind mount of these containers
	// at the same destinations: CONTAINER[:ro|rw] (--volumes-from).
	VolumesFrom []string `json:"volumesFrom,omitempty"`

	CapAdd      []string `json:"capAdd,omitempty"`
	CapDrop     []string `json:"capDrop,omitempty"`
	SecurityOpt []string `json:"securityOpt,omitempty"`
	Privileged  bool     `json:"privileged,omitempty"`
	// Init runs a minimal init as PID 1 that reaps zombies.
	Init bool `json:"init,omitempty"`
	// Userns is "" (host) or "private" (a user namespace mapping the
	// container's root to an unprivileged host range).
	Userns string `json:"userns,omitempty"`

	RestartPolicy RestartPolicy `json:"restartPolicy,omitempty"`
	// AutoRemove removes the container when it exits (--rm).
	AutoRemove bool `json:"autoRemove,omitempty"`
	// StopSignal and StopTimeout override the image's and the default
	// (SIGTERM, 10 s).
	StopSignal  string `json:"stopSignal,omitempty"`
	StopTimeout *int   `json:"stopTimeout,omitempty"`

	// Hooks are OCI hooks run at start and exit with the container state.
	Hooks []Hook  `json:"hooks,omitempty"`
	Log   LogOpts `json:"log,omitempty"`

	// Process limits, kernel parameters, devices and namespaces, as
	// Docker's HostConfig fields of the same names (run flags --ulimit,
	// --sysctl, --device, --shm-size, --group-add, --pid, --ipc, --uts).
	// Sysctls must be namespaced kernel parameters of a namespace the
	// container owns. PidMode is "" (private), "host" or "container:ID";
	// IpcMode "" or "private", "shareable", "host", "none" or
	// "container:ID" (of a shareable container); UTSMode "" or "host".
	// GroupAdd are group names (of the container's /etc/group) or ids.
	// ShmSize is /dev/shm's size in bytes (0: 64 MiB).
	Ulimits  []Ulimit          `json:"ulimits,omitempty"`
	Sysctls  map[string]string `json:"sysctls,omitempty"`
	Devices  []DeviceMapping   `json:"devices,omitempty"`
	ShmSize  int64             `json:"shmSize,omitempty"`
	GroupAdd []string          `json:"groupAdd,omitempty"`
	PidMode  string            `json:"pidMode,omitempty"`
	IpcMode  string            `json:"ipcMode,omitempty"`
	UTSMode  string            `json:"utsMode,omitempty"`
	// Platform is "", "linux" or "linux/ARCH" with this machine's
	// architecture; anything else is refused before anything is made.
	Platform string `json:"platform,omitempty"`
	// LogDriver is "" or "json-file" or "local" (the container's log
	// file, bounded by Log) or "none" (no log kept; logs refuses).
	LogDriver string `json:"logDriver,omitempty"`

	// DNSSearch and DNSOptions replace the search and options lines of
	// the container's resolv.conf (--dns-search, --dns-option);
	// Domainname is its NIS domain name (--domainname, Docker's
	// Config.Domainname), in its own UTS namespace.
	DNSSearch  []string `json:"dnsSearch,omitempty"`
	DNSOptions []string `json:"dnsOptions,omitempty"`
	Domainname string   `json:"domainname,omitempty"`
	// ExposedPorts are ports the container exposes besides the image's,
	// "PORT/PROTO" (--expose): publishAll publishes them too. The created
	// container's record holds the union with the image's, as Docker's
	// Config.ExposedPorts.
	ExposedPorts []string `json:"exposedPorts,omitempty"`
	// CgroupParent puts the container's cgroup below this cgroup of the
	// engine's cgroup root, /container-runtime (--cgroup-parent): "a/b",
	// or "/container-runtime/a/b"; ".." and absolute paths elsewhere are
	// refused. CgroupnsMode is "" or "private" (the container's own cgroup
	// namespace, the default) or "host".
	CgroupParent string `json:"cgroupParent,omitempty"`
	CgroupnsMode string `json:"cgroupnsMode,omitempty"`
	// DeviceCgroupRules allow more devices in the device cgroup
	// (--device-cgroup-rule): "TYPE MAJOR:MINOR ACCESS" as 'c 1:3 rwm',
	// TYPE a, b or c, MAJOR and MINOR numbers or '*', ACCESS of r, w, m;
	// type a only as 'a *:* ACCESS' (every device).
	DeviceCgroupRules []string `json:"deviceCgroupRules,omitempty"`

	// Healthcheck overrides fields of the image's HEALTHCHECK
	// (--health-*); Test ["NONE"] turns it off (--no-healthcheck). In
	// inspect's config it is the check in effect.
	Healthcheck *HealthConfig `json:"healthcheck,omitempty"`
	// Shell runs a CMD-SHELL health check (Docker's Config.Shell);
	// empty takes the image's SHELL. In inspect's config it is the
	// shell in effect, absent for /bin/sh -c.
	Shell []string `json:"shell,omitempty"`
}

// Resources are the cgroup limits of a container.
type Resources struct {
	// Memory is the limit in bytes (0: none).
	Memory int64 `json:"memory,omitempty"`
	// NanoCPUs is CPUs × 1e9 (--cpus 1.5 → 1500000000).
	NanoCPUs   int64  `json:"nanoCpus,omitempty"`
	PidsLimit  int64  `json:"pidsLimit,omitempty"`
	CPUShares  int64  `json:"cpuShares,omitempty"`
	CpusetCpus string `json:"cpusetCpus,omitempty"`

	// Docker's memory, CPU, block I/O and OOM settings of the same names
	// (run flags --memory-swap, --memory-reservation, --memory-swappiness,
	// --oom-kill-disable, --oom-score-adj, --cpu-period, --cpu-quota,
	// --cpuset-mems, --blkio-weight, --device-{read,write}-{bps,iops}).
	// MemorySwap is memory plus swap in bytes, -1 unlimited; 0 with a
	// Memory limit means twice Memory (the created container's record
	// holds that value, as Docker's). MemorySwappiness is 0..100 (nil or
	// -1: the host's). OomScoreAdj is the process's oom_score_adj
	// (-1000..1000). CPUPeriod and CPUQuota are the CFS period and quota
	// in microseconds and exclude NanoCPUs. Throttle devices name a block
	// device of the host by path.
	MemorySwap           int64            `json:"memorySwap,omitempty"`
	MemoryReservation    int64            `json:"memoryReservation,omitempty"`
	MemorySwappiness     *int64           `json:"memorySwappiness,omitempty"`
	OomKillDisable       bool             `json:"oomKillDisable,omitempty"`
	OomScoreAdj          int              `json:"oomScoreAdj,omitempty"`
	CPUPeriod            int64            `json:"cpuPeriod,omitempty"`
	CPUQuota             int64            `json:"cpuQuota,omitempty"`
	CpusetMems           string           `json:"cpusetMems,omitempty"`
	BlkioWeight          uint16           `json:"blkioWeight,omitempty"`
	BlkioDeviceReadBps   []ThrottleDevice `json:"blkioDeviceReadBps,omitempty"`
	BlkioDeviceWriteBps  []ThrottleDevice `json:"blkioDeviceWriteBps,omitempty"`
	BlkioDeviceReadIOps  []ThrottleDevice `json:"blkioDeviceReadIOps,omitempty"`
	BlkioDeviceWriteIOps []ThrottleDevice `json:"blkioDeviceWriteIOps,omitempty"`
}

// ThrottleDevice is a block device's rate limit: bytes or operations per
// second (Docker's blkiodev.ThrottleDevice).
type ThrottleDevice struct {
	Path string `json:"path"`
	Rate uint64 `json:"rate"`
}

// Mount is a bind mount, tmpfs or volume (-v, --mount, --tmpfs).
type Mount struct {
	// Type is "bind", "tmpfs" or "volume". In a request, a volume's
	// Source is its name (empty: a new anonymous volume) and Options may
	// hold "nocopy" (the image's files are not copied into a new volume).
	Type string `json:"type"`
	// Source is a bind mount's host path; in listings, a volume's
	// directory on the host.
	Source string `json:"source,omitempty"`
	// Name is a volume's name (listings only).
	Name        string   `json:"name,omitempty"`
	Destination string   `json:"destination"`
	ReadOnly    bool     `json:"readOnly,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// RestartPolicy: Name is "no", "on-failure", "always" or "unless-stopped".
type RestartPolicy struct {
	Name              string `json:"name,omitempty"`
	MaximumRetryCount int    `json:"maximumRetryCount,omitempty"`
}

// Hook is an OCI hook; Stage is "start" (poststart) or "exit" (poststop),
// or any OCI hook name.
type Hook struct {
	Stage   string   `json:"stage"`
	Path    string   `json:"path"`
	Args    []string `json:"args,omitempty"`
	Env     []string `json:"env,omitempty"`
	Timeout *int     `json:"timeout,omitempty"`
}

// LogOpts bound a container's log files.
type LogOpts struct {
	// MaxSize is the size in bytes at which a log file rotates (default
	// 10 MiB); MaxFiles how many files are kept (default 3).
	MaxSize  int64 `json:"maxSize,omitempty"`
	MaxFiles int   `json:"maxFiles,omitempty"`
}

// ContainerCreated answers POST /v1/containers.
type ContainerCreated struct {
	ID       string   `json:"id"`
	Warnings []string `json:"warnings,omitempty"`
}

// ContainerSummary is one entry of GET /v1/containers.
type ContainerSummary struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Image   string    `json:"image"`
	Command []string  `json:"command"`
	Created time.Time `json:"created"`
	// State is created, running, paused, restarting, exited or dead.
	State  string `json:"state"`
	Status string `json:"status"`
	Pid    int    `json:"pid,omitempty"`
	// Network is the network mode or name.
	Network string            `json:"network"`
	Labels  map[string]string `json:"labels,omitempty"`
	// Ports are the ports published by the current run, host ports
	// chosen (running containers only).
	Ports []PortBinding `json:"ports,omitempty"`
	// Mounts are the container's bind, tmpfs and volume mounts (ps
	// --format '{{.Mounts}}').
	Mounts []Mount `json:"mounts,omitempty"`
	// SizeRw and SizeRootFs are the writable layer's size and that plus
	// the image's, in bytes; set only when the list asked for sizes.
	SizeRw     int64 `json:"sizeRw,omitempty"`
	SizeRootFs int64 `json:"sizeRootFs,omitempty"`
	// Health is how the health check stands, for a running (or paused)
	// container that has one; nil otherwise.
	Health *HealthSummary `json:"health,omitempty"`
}

// ContainerInspect answers GET /v1/containers/{id}.
type ContainerInspect struct {
	ContainerSummary
	ImageID      string          `json:"imageId"`
	Config       ContainerCreate `json:"config"`
	StateDetail  ContainerState  `json:"stateDetail"`
	RestartCount int             `json:"restartCount"`
	// StartupCommands are the results of the last start's startup
	// commands, in order.
	StartupCommands []StartupResult `json:"startupCommands,omitempty"`
	// StartPhases is how long each phase of the last start took.
	StartPhases []Phase `json:"startPhases,omitempty"`
	Rootfs      string  `json:"rootfs"`
	LogPath     string  `json:"logPath"`
	// IPAddress (with IPPrefixLen), Gateway and MacAddress are the
	// container's eth0 on a bridge network during a run.
	IPAddress   string `json:"ipAddress,omitempty"`
	IPPrefixLen int    `json:"ipPrefixLen,omitempty"`
	Gateway     string `json:"gateway,omitempty"`
	MacAddress  string `json:"macAddress,omitempty"`
	// Networks are every network of the container by name: its first
	// (Network) and those network connect added.
	Networks map[string]ContainerNetwork `json:"networks,omitempty"`
}

// ContainerState is the detailed state of a container.
type ContainerState struct {
	Status     string    `json:"status"`
	Running    bool      `json:"running"`
	Paused     bool      `json:"paused"`
	Restarting bool      `json:"restarting"`
	OOMKilled  bool      `json:"oomKilled"`
	Pid        int       `json:"pid"`
	ExitCode   int       `json:"exitCode"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	// Health is set for a container with a health check once it started.
	Health *Health `json:"health,omitempty"`
}

// StartupResult is how one startup command ended.
type StartupResult struct {
	Args     []string      `json:"args"`
	ExitCode int           `json:"exitCode"`
	Duration time.Duration `json:"duration"`
}

// Phase is one timed phase of a container start.
type Phase struct {
	// Name: rootfs, namespaces, cgroups, network, startup-commands, exec.
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration"`
}

// WaitResult answers POST /v1/containers/{id}/wait.
type WaitResult struct {
	StatusCode int    `json:"statusCode"`
	OOMKilled  bool   `json:"oomKilled,omitempty"`
	Error      string `json:"error,omitempty"`
}

// ExecCreate is the body of POST /v1/containers/{id}/exec.
type ExecCreate struct {
	Cmd        []string `json:"cmd"`
	Env        []string `json:"env,omitempty"`
	WorkingDir string   `json:"workingDir,omitempty"`
	User       string   `json:"user,omitempty"`
	Tty        bool     `json:"tty,omitempty"`
	Stdin      bool     `json:"stdin,omitempty"`
	Privileged bool     `json:"privileged,omitempty"`
	// ConsoleSize is the terminal's [rows, columns], set before the
	// process starts (with Tty).
	ConsoleSize [2]uint16 `json:"consoleSize,omitzero"`
}

// ExecCreated answers POST /v1/containers/{id}/exec.
type ExecCreated struct {
	ID string `json:"id"`
}

// ExecIDHeader names, in the 101 answer of POST
// /v1/containers/{id}/exec?start=1 (create and start in one request), the
// id of the exec it created.
const ExecIDHeader = "Exec-Id"

// ExecInspect answers GET /v1/exec/{id}.
type ExecInspect struct {
	ID          string `json:"id"`
	ContainerID string `json:"containerId"`
	Running     bool   `json:"running"`
	ExitCode    *int   `json:"exitCode,omitempty"`
	Pid         int    `json:"pid,omitempty"`
}
