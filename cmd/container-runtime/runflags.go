package main

import (
	"fmt"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

// containerFlags are the flags of run and create.
type containerFlags struct {
	name        string
	interactive bool
	tty         bool
	autoRemove  bool

	env        []string
	envFiles   []string
	workdir    string
	user       string
	hostname   string
	network    string
	publish    []string
	publishAll bool
	dns        []string
	addHosts   []string
	labels     []string
	entrypoint string

	memory    string
	cpus      float64
	cpuShares int64
	cpuset    string
	pidsLimit int64

	volumes  []string
	mounts   []string
	tmpfs    []string
	readOnly bool
	// volumesFrom is --volumes-from CONTAINER[:ro|rw].
	volumesFrom []string

	capAdd      []string
	capDrop     []string
	securityOpt []string
	privileged  bool
	init        bool
	userns      string

	restart     string
	stopSignal  string
	stopTimeout int
	hooks       []string
	logOpts     []string

	host hostFlags // --ulimit, --sysctl, --device, --pid, ... (runflags2.go)
	// limits are --memory-swap, --cpu-period, --device-read-bps, ... (limitflags.go)
	limits limitFlags
	names  nameFlags // --dns-search, --dns-option, --domainname, --expose (nameflags.go)

	// issue 11, networks and pull: --network-alias, --pull.
	networkAliases []string
	pull           string

	health healthFlags // healthflags.go

	fs *pflag.FlagSet // to tell set flags from defaults
}

// addFlags registers the flags on fs.
func (f *containerFlags) addFlags(fs *pflag.FlagSet) {
	f.fs = fs
	// -h is --hostname, as in Docker: help is --help only.
	fs.Bool("help", false, "help for this command")
	fs.StringVar(&f.name, "name", "", "name of the container")
	fs.BoolVarP(&f.interactive, "interactive", "i", false, "keep stdin open and forward it")
	fs.BoolVarP(&f.tty, "tty", "t", false, "give the container a terminal")
	fs.BoolVar(&f.autoRemove, "rm", false, "remove the container when it exits")

	fs.StringArrayVarP(&f.env, "env", "e", nil, "set an environment variable (KEY=VALUE, or KEY to copy ours)")
	fs.StringArrayVar(&f.envFiles, "env-file", nil, "read environment variables from a file (KEY=VALUE lines)")
	fs.StringVarP(&f.workdir, "workdir", "w", "", "working directory inside the container")
	fs.StringVarP(&f.user, "user", "u", "", "user to run as (name|uid[:group|gid])")
	fs.StringVarP(&f.hostname, "hostname", "h", "", "hostname of the container")
	fs.StringVar(&f.network, "network", "", "network: bridge (default), host, none, or a network name")
	fs.StringArrayVarP(&f.publish, "publish", "p", nil, "publish a port: [[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/tcp|/udp] (no host port: a free one)")
	fs.BoolVarP(&f.publishAll, "publish-all", "P", false, "publish every port the image exposes on a free host port")
	fs.StringArrayVar(&f.dns, "dns", nil, "name server for the container's resolv.conf")
	fs.StringArrayVar(&f.addHosts, "add-host", nil, "add a line to the container's /etc/hosts: NAME:ADDRESS (ADDRESS host-gateway: the host)")
	fs.StringArrayVarP(&f.labels, "label", "l", nil, "set a label (KEY=VALUE)")
	fs.StringVar(&f.entrypoint, "entrypoint", "", "replace the image's entrypoint")

	fs.StringVarP(&f.memory, "memory", "m", "", "memory limit (e.g. 512m, 1g)")
	fs.Float64Var(&f.cpus, "cpus", 0, "number of CPUs (e.g. 1.5)")
	fs.Int64VarP(&f.cpuShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	fs.StringVar(&f.cpuset, "cpuset-cpus", "", "CPUs the container may use (0-3, 0,1)")
	fs.Int64Var(&f.pidsLimit, "pids-limit", 0, "maximum number of processes")

	fs.StringArrayVarP(&f.volumes, "volume", "v", nil, "mount a host path or a volume: SRC:DST[:ro] (SRC a path or a volume name), or DST (a new anonymous volume)")
	fs.StringArrayVar(&f.mounts, "mount", nil, "mount: type=bind|volume,source=SRC,target=DST[,readonly][,volume-nocopy] or type=tmpfs,target=DST[,tmpfs-size=N][,tmpfs-mode=MODE]")
	fs.StringArrayVar(&f.tmpfs, "tmpfs", nil, "mount a tmpfs: DST[:OPTIONS]")
	fs.BoolVar(&f.readOnly, "read-only", false, "mount the root filesystem read-only")
	fs.StringArrayVar(&f.volumesFrom, "volumes-from", nil, "mount the volumes and bind mounts of a container: CONTAINER[:ro|rw]")

	fs.StringSliceVar(&f.capAdd, "cap-add", nil, "add capabilities")
	fs.StringSliceVar(&f.capDrop, "cap-drop", nil, "drop capabilities")
	fs.StringArrayVar(&f.securityOpt, "security-opt", nil, "security option (no-new-privileges, seccomp=unconfined...)")
	fs.BoolVar(&f.privileged, "privileged", false, "give every capability and device, no seccomp")
	fs.BoolVar(&f.init, "init", false, "run an init as PID 1 that forwards signals and reaps zombies")
	fs.StringVar(&f.userns, "userns", "", "user namespace: private (root in the container is unprivileged on the host)")

	fs.StringVar(&f.restart, "restart", "no", "restart policy: no, on-failure[:N], always, unless-stopped")
	fs.StringVar(&f.stopSignal, "stop-signal", "", "signal that stops the container (default the image's, or SIGTERM)")
	fs.IntVar(&f.stopTimeout, "stop-timeout", 0, "seconds to wait after the stop signal before SIGKILL (default 10)")
	fs.StringArrayVar(&f.hooks, "hook", nil, "run an OCI hook: STAGE:PATH (stage start or exit, or an OCI hook name)")
	fs.StringArrayVar(&f.logOpts, "log-opt", nil, "log option: max-size=10m, max-file=3")
	f.host.addFlags(fs)
	f.limits.addFlags(fs)
	f.names.addFlags(fs)

	// issue 11, networks and pull.
	fs.StringArrayVar(&f.networkAliases, "network-alias", nil, "another name of the container on its user-defined network")
	fs.StringVar(&f.pull, "pull", pullMissing, "pull the image before creating: missing, always or never")

	f.health.addFlags(fs)
}

// create builds the create request for image and cmd.
func (f *containerFlags) create(image string, cmd []string, getenv func(string) string) (api.ContainerCreate, error) {
	req := api.ContainerCreate{
		Name: f.name, Image: image, Cmd: cmd,
		WorkingDir: f.workdir, User: f.user, Hostname: f.hostname, Network: f.network,
		Tty: f.tty, OpenStdin: f.interactive, AutoRemove: f.autoRemove,
		ReadOnly: f.readOnly, CapAdd: f.capAdd, CapDrop: f.capDrop, SecurityOpt: f.securityOpt,
		Privileged: f.privileged, Init: f.init, Userns: f.userns, StopSignal: f.stopSignal,
		PublishAll: f.publishAll, DNS: f.dns, ExtraHosts: f.addHosts,
	}
	var err error
	if req.Env, err = parseEnv(f.env, f.envFiles, getenv); err != nil {
		return req, err
	}
	if req.Labels, err = parseLabels(f.labels); err != nil {
		return req, err
	}
	if req.Ports, err = parsePublish(f.publish); err != nil {
		return req, err
	}
	if f.fs != nil && f.fs.Changed("entrypoint") {
		// [""] clears the image's entrypoint, as Docker's --entrypoint "".
		req.Entrypoint = []string{f.entrypoint}
	}
	if f.fs != nil && f.fs.Changed("stop-timeout") {
		t := f.stopTimeout
		req.StopTimeout = &t
	}
	if req.Resources, err = f.resources(); err != nil {
		return req, err
	}
	if req.Mounts, err = parseMounts(f.volumes, f.mounts, f.tmpfs); err != nil {
		return req, err
	}
	req.VolumesFrom = f.volumesFrom
	if req.RestartPolicy, err = parseRestart(f.restart); err != nil {
		return req, err
	}
	if req.AutoRemove && req.RestartPolicy.Name != "" && req.RestartPolicy.Name != "no" {
		return req, fmt.Errorf("--rm and --restart %s cannot be used together", f.restart)
	}
	if req.Hooks, err = parseHooks(f.hooks); err != nil {
		return req, err
	}
	if req.Healthcheck, err = f.health.config(); err != nil {
		return req, err
	}
	if req.Log, err = parseLogOpts(f.logOpts); err != nil {
		return req, err
	}
	if err := f.host.apply(&req); err != nil {
		return req, err
	}
	if err := f.limits.apply(&req); err != nil {
		return req, err
	}
	if err := f.names.apply(&req); err != nil {
		return req, err
	}
	// issue 11, networks and pull.
	req.NetworkAliases = f.networkAliases
	if err := checkPullPolicy(f.pull); err != nil {
		return req, err
	}
	return req, nil
}

func (f *containerFlags) resources() (api.Resources, error) {
	r := api.Resources{CPUShares: f.cpuShares, CpusetCpus: f.cpuset, PidsLimit: f.pidsLimit}
	if f.memory != "" {
		m, err := units.RAMInBytes(f.memory)
		if err != nil || m <= 0 {
			return r, fmt.Errorf("invalid --memory %q: want a size such as 512m or 1g", f.memory)
		}
		r.Memory = m
	}
	if f.cpus < 0 {
		return r, fmt.Errorf("invalid --cpus %g: must not be negative", f.cpus)
	}
	r.NanoCPUs = int64(f.cpus * 1e9)
	return r, nil
}

// parseRestart parses --restart.
func parseRestart(s string) (api.RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	p := api.RestartPolicy{Name: name}
	switch name {
	case "", "no", "always", "unless-stopped":
		if hasCount {
			return p, fmt.Errorf("invalid --restart %q: only on-failure takes a retry count", s)
		}
		if name == "" {
			p.Name = "no"
		}
	case "on-failure":
		if hasCount {
			var n int
			if _, err := fmt.Sscanf(count, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != count {
				return p, fmt.Errorf("invalid --restart %q: the retry count must be a number", s)
			}
			p.MaximumRetryCount = n
		}
	default:
		return p, fmt.Errorf("invalid --restart %q: want no, on-failure[:N], always or unless-stopped", s)
	}
	return p, nil
}

// parseHooks parses --hook STAGE:PATH.
func parseHooks(specs []string) ([]api.Hook, error) {
	var hooks []api.Hook
	for _, s := range specs {
		stage, path, ok := strings.Cut(s, ":")
		if !ok || stage == "" || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("invalid --hook %q: want STAGE:/absolute/path", s)
		}
		hooks = append(hooks, api.Hook{Stage: stage, Path: path, Args: []string{path}})
	}
	return hooks, nil
}

// parseLogOpts parses --log-opt KEY=VALUE[,KEY=VALUE].
func parseLogOpts(opts []string) (api.LogOpts, error) {
	var l api.LogOpts
	for _, o := range opts {
		for kv := range strings.SplitSeq(o, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return l, fmt.Errorf("invalid --log-opt %q: want KEY=VALUE", kv)
			}
			switch k {
			case "max-size":
				n, err := units.RAMInBytes(v)
				if err != nil || n <= 0 {
					return l, fmt.Errorf("invalid --log-opt max-size %q: want a size such as 10m", v)
				}
				l.MaxSize = n
			case "max-file":
				var n int
				if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 1 {
					return l, fmt.Errorf("invalid --log-opt max-file %q: want a number of at least 1", v)
				}
				l.MaxFiles = n
			default:
				return l, fmt.Errorf("unknown --log-opt %q: want max-size or max-file", k)
			}
		}
	}
	return l, nil
}

// parseLabels parses KEY=VALUE labels (KEY alone is an empty value).
func parseLabels(labels []string) (map[string]string, error) {
	if len(labels) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid --label %q: want KEY=VALUE", l)
		}
		m[k] = v
	}
	return m, nil
}
