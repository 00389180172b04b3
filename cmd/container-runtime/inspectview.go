package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// Docker's inspect shape (moby's container.InspectResponse and
// image.InspectResponse), built from ours so that `inspect -f
// '{{.State.Pid}}'` and scripts reading Docker's JSON work. Our extras
// (startup commands' results, start phases, the rootfs) are additional
// fields with our lower-case names; {{.StateDetail...}} still works
// through a method.

type containerView struct {
	Id              string          `json:"Id"` //nolint:revive // Docker's name, read by templates as {{.Id}}
	Created         string          `json:"Created"`
	Path            string          `json:"Path"`
	Args            []string        `json:"Args"`
	State           stateView       `json:"State"`
	Image           string          `json:"Image"`
	LogPath         string          `json:"LogPath"`
	Name            string          `json:"Name"`
	RestartCount    int             `json:"RestartCount"`
	Platform        string          `json:"Platform"`
	HostConfig      hostConfigView  `json:"HostConfig"`
	Mounts          []mountView     `json:"Mounts"`
	Config          configView      `json:"Config"`
	NetworkSettings networkSettings `json:"NetworkSettings"`

	StartupCommands []api.StartupResult `json:"startupCommands,omitempty"`
	StartPhases     []api.Phase         `json:"startPhases,omitempty"`
	Rootfs          string              `json:"rootfs,omitempty"`

	detail api.ContainerState
	ours   api.ContainerInspect
}

// containerMapped are the fields of api.ContainerInspect the view shows
// in Docker's places.
var containerMapped = []string{"id", "name", "image", "command", "created", "state", "status", "pid", "network",
	"labels", "ports", "mounts", "imageId", "config", "stateDetail", "restartCount", "startupCommands", "startPhases",
	"rootfs", "logPath", "ipAddress", "ipPrefixLen", "gateway", "macAddress"}

// MarshalJSON prints Docker's fields, then every field of ours the view
// does not map (fields added to our API later show without a change here).
func (v containerView) MarshalJSON() ([]byte, error) {
	type plain containerView
	return withExtras(plain(v), v.ours, containerMapped)
}

// StateDetail is our state of the container: the seed's
// {{.StateDetail.Pid}} keeps working.
func (v containerView) StateDetail() api.ContainerState { return v.detail }

type stateView struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  string
	FinishedAt string
	Health     *healthView `json:",omitempty"` // healthview.go
}

type hostConfigView struct {
	NetworkMode    string
	PortBindings   map[string][]portBindingView
	RestartPolicy  restartPolicyView
	AutoRemove     bool
	CapAdd         []string
	CapDrop        []string
	DNS            []string `json:"Dns"`
	ExtraHosts     []string
	Privileged     bool
	ReadonlyRootfs bool
	SecurityOpt    []string
	UsernsMode     string
	ConsoleSize    [2]uint16
	Memory         int64
	NanoCpus       int64
	CPUShares      int64 `json:"CpuShares"`
	CpusetCpus     string
	PidsLimit      *int64
	Init           *bool
	// Filled by hostFieldsView (inspecthost.go).
	Ulimits   []ulimitView
	Sysctls   map[string]string `json:",omitempty"`
	Devices   []deviceView
	ShmSize   int64
	GroupAdd  []string
	PidMode   string
	IpcMode   string
	UTSMode   string
	LogConfig logConfigView

	// VolumesFrom is --volumes-from as given.
	VolumesFrom []string

	limitsView // --memory-swap, --cpu-period, ... (inspectlimits.go)
	// --dns-search and --dns-option, under Docker's names for templates.
	DnsSearch  []string //nolint:revive // Docker's name
	DnsOptions []string //nolint:revive // Docker's name
}

type restartPolicyView struct {
	Name              string
	MaximumRetryCount int
}

type portBindingView struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

type mountView struct {
	Type string
	// Name and Driver are a volume's.
	Name        string `json:",omitempty"`
	Source      string
	Destination string
	Driver      string `json:",omitempty"`
	Mode        string
	RW          bool
	Propagation string
}

type configView struct {
	Hostname     string
	User         string
	Tty          bool
	OpenStdin    bool
	Env          []string
	Cmd          []string
	Image        string
	WorkingDir   string
	Entrypoint   []string
	Labels       map[string]string
	StopSignal   string              `json:",omitempty"`
	StopTimeout  *int                `json:",omitempty"`
	ExposedPorts map[string]struct{} `json:",omitempty"`
	Healthcheck  *healthConfigView   `json:",omitempty"` // healthview.go
	Shell        []string            `json:",omitempty"`
	Domainname   string
}

type networkSettings struct {
	Ports       map[string][]portBindingView
	Gateway     string
	IPAddress   string
	IPPrefixLen int
	MacAddress  string
	Networks    map[string]endpointView
}

type endpointView struct {
	Aliases     []string
	NetworkID   string
	IPAddress   string
	IPPrefixLen int
	Gateway     string
	MacAddress  string
}

// dockerTime prints a time as Docker's inspect does (RFC 3339 with
// nanoseconds; the zero time for never).
func dockerTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// newContainerView builds Docker's view of ci.
func newContainerView(ci api.ContainerInspect) containerView {
	cfg := ci.Config
	v := containerView{
		Id:      ci.ID,
		Created: dockerTime(ci.Created),
		Args:    []string{},
		State: stateView{
			Status: ci.State, Running: ci.StateDetail.Running, Paused: ci.StateDetail.Paused,
			Restarting: ci.StateDetail.Restarting, OOMKilled: ci.StateDetail.OOMKilled,
			Dead: ci.State == "dead", Pid: ci.StateDetail.Pid, ExitCode: ci.StateDetail.ExitCode,
			Error: ci.StateDetail.Error, StartedAt: dockerTime(ci.StateDetail.StartedAt),
			FinishedAt: dockerTime(ci.StateDetail.FinishedAt),
		},
		Image:        ci.ImageID,
		LogPath:      ci.LogPath,
		Name:         "/" + ci.Name,
		RestartCount: ci.RestartCount,
		Platform:     "linux",
		HostConfig: hostConfigView{
			NetworkMode:   orDefault(cfg.Network, ci.Network),
			PortBindings:  portMap(cfg.Ports),
			RestartPolicy: restartPolicyView{Name: orDefault(cfg.RestartPolicy.Name, "no"), MaximumRetryCount: cfg.RestartPolicy.MaximumRetryCount},
			AutoRemove:    cfg.AutoRemove, CapAdd: cfg.CapAdd, CapDrop: cfg.CapDrop, DNS: cfg.DNS,
			ExtraHosts: cfg.ExtraHosts, Privileged: cfg.Privileged, ReadonlyRootfs: cfg.ReadOnly,
			SecurityOpt: cfg.SecurityOpt, UsernsMode: cfg.Userns, ConsoleSize: cfg.ConsoleSize,
			Memory: cfg.Resources.Memory, NanoCpus: cfg.Resources.NanoCPUs, CPUShares: cfg.Resources.CPUShares,
			CpusetCpus: cfg.Resources.CpusetCpus, Init: &cfg.Init,
		},
		Mounts: []mountView{},
		Config: configView{
			Hostname: cfg.Hostname, User: cfg.User, Tty: cfg.Tty, OpenStdin: cfg.OpenStdin,
			Env: cfg.Env, Cmd: cfg.Cmd, Image: orDefault(cfg.Image, ci.Image), WorkingDir: cfg.WorkingDir,
			Entrypoint: cfg.Entrypoint, Labels: ci.Labels, StopSignal: cfg.StopSignal, StopTimeout: cfg.StopTimeout,
			Domainname: cfg.Domainname, ExposedPorts: portSet(cfg.ExposedPorts), // inspectlimits.go
		},
		NetworkSettings: networkSettings{
			Ports: portMap(ci.Ports), Gateway: ci.Gateway, IPAddress: ci.IPAddress,
			IPPrefixLen: ci.IPPrefixLen, MacAddress: ci.MacAddress,
			Networks: map[string]endpointView{},
		},
		StartupCommands: ci.StartupCommands,
		StartPhases:     ci.StartPhases,
		Rootfs:          ci.Rootfs,
		detail:          ci.StateDetail,
		ours:            ci,
	}
	if len(ci.Command) > 0 {
		v.Path, v.Args = ci.Command[0], ci.Command[1:]
	}
	v.State.Health, v.Config.Healthcheck = newHealthView(ci.StateDetail.Health), newHealthConfigView(cfg.Healthcheck)
	v.Config.Shell = cfg.Shell
	if len(v.Config.Cmd) == 0 && len(v.Config.Entrypoint) == 0 {
		v.Config.Cmd = ci.Command
	}
	if v.Config.Labels == nil {
		v.Config.Labels = map[string]string{}
	}
	if pl := cfg.Resources.PidsLimit; pl != 0 {
		v.HostConfig.PidsLimit = &pl
	}
	hostFieldsView(&v.HostConfig, cfg)
	v.HostConfig.limitsView = newLimitsView(cfg)
	v.HostConfig.DnsSearch, v.HostConfig.DnsOptions = cfg.DNSSearch, cfg.DNSOptions
	v.HostConfig.VolumesFrom = cfg.VolumesFrom
	// The summary's mounts are resolved: volumes named, --volumes-from
	// included.
	for _, m := range ci.Mounts {
		mode := ""
		if m.ReadOnly {
			mode = "ro"
		}
		mv := mountView{Type: m.Type, Name: m.Name, Source: m.Source, Destination: m.Destination,
			Mode: mode, RW: !m.ReadOnly, Propagation: propagation(m)}
		if m.Type == "volume" {
			mv.Driver = "local"
		}
		v.Mounts = append(v.Mounts, mv)
	}
	if n := v.HostConfig.NetworkMode; n != "" {
		v.NetworkSettings.Networks[n] = endpointView{IPAddress: ci.IPAddress, IPPrefixLen: ci.IPPrefixLen,
			Gateway: ci.Gateway, MacAddress: ci.MacAddress}
	}
	// Every network of the container (network connect), as Docker's.
	for n, cn := range ci.Networks {
		v.NetworkSettings.Networks[n] = endpointView{IPAddress: cn.IPAddress, IPPrefixLen: cn.IPPrefixLen,
			Gateway: cn.Gateway, MacAddress: cn.MacAddress, Aliases: cn.Aliases, NetworkID: cn.NetworkID}
	}
	return v
}

// propagation is a bind mount's propagation as Docker shows it (rprivate
// unless an option says otherwise).
func propagation(m api.Mount) string {
	if m.Type != "bind" {
		return ""
	}
	for _, o := range m.Options {
		switch o {
		case "shared", "rshared", "slave", "rslave", "private", "rprivate":
			return o
		}
	}
	return "rprivate"
}

// portMap is Docker's PortMap: "80/tcp" → the host bindings.
func portMap(ports []api.PortBinding) map[string][]portBindingView {
	m := map[string][]portBindingView{}
	for _, p := range ports {
		key := fmt.Sprintf("%d/%s", p.ContainerPort, orDefault(p.Proto, "tcp"))
		m[key] = append(m[key], portBindingView{HostIP: orDefault(p.HostIP, "0.0.0.0"), HostPort: fmt.Sprint(p.HostPort)})
	}
	return m
}

// imageView is Docker's image inspect shape, with our startup commands
// as an additional field.
type imageView struct {
	Id           string          `json:"Id"` //nolint:revive // Docker's name
	RepoTags     []string        `json:"RepoTags"`
	RepoDigests  []string        `json:"RepoDigests"`
	Parent       string          `json:"Parent"`
	Comment      string          `json:"Comment"`
	Created      string          `json:"Created"`
	Config       imageConfigView `json:"Config"`
	Architecture string          `json:"Architecture"`
	Os           string          `json:"Os"`
	Size         int64           `json:"Size"`
	RootFS       rootFSView      `json:"RootFS"`

	StartupCommands [][]string `json:"startupCommands,omitempty"`

	ours api.ImageInspect
}

// imageMapped are the fields of api.ImageInspect the view shows in
// Docker's places.
var imageMapped = []string{"id", "names", "size", "created", "layers", "config", "os", "architecture", "startupCommands"}

// MarshalJSON prints Docker's fields, then our unmapped ones.
func (v imageView) MarshalJSON() ([]byte, error) {
	type plain imageView
	return withExtras(plain(v), v.ours, imageMapped)
}

// withExtras is view's JSON object followed by the top-level fields of
// ours that are neither in mapped nor, in any letter case, Docker's (a
// decoder matching names case-insensitively must not see two of one).
func withExtras(view, ours any, mapped []string) ([]byte, error) {
	b, err := json.Marshal(view)
	if err != nil {
		return nil, err
	}
	ob, err := json.Marshal(ours)
	if err != nil {
		return nil, err
	}
	var docker, extra map[string]json.RawMessage
	if err := json.Unmarshal(b, &docker); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(ob, &extra); err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for k := range docker {
		taken[strings.ToLower(k)] = true
	}
	for _, k := range mapped {
		taken[strings.ToLower(k)] = true
	}
	var out bytes.Buffer
	out.Write(bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}")))
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		if taken[strings.ToLower(k)] {
			continue
		}
		key, _ := json.Marshal(k)
		fmt.Fprintf(&out, ",%s:%s", key, extra[k])
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

type imageConfigView struct {
	User         string
	Env          []string
	Cmd          []string
	Entrypoint   []string
	WorkingDir   string
	Labels       map[string]string
	ExposedPorts map[string]struct{} `json:",omitempty"`
	Volumes      map[string]struct{}
	StopSignal   string            `json:",omitempty"`
	Healthcheck  *healthConfigView `json:",omitempty"` // healthview.go
	Shell        []string          `json:",omitempty"`
}

type rootFSView struct {
	Type   string
	Layers []string
}

func newImageView(ii api.ImageInspect) imageView {
	tags := []string{}
	for _, n := range ii.Names {
		if !strings.Contains(n, "@") {
			tags = append(tags, n)
		}
	}
	c := ii.Config
	return imageView{
		Id: ii.ID, RepoTags: tags, RepoDigests: []string{}, Created: dockerTime(ii.Created),
		Config: imageConfigView{User: c.User, Env: c.Env, Cmd: c.Cmd, Entrypoint: c.Entrypoint,
			WorkingDir: c.WorkingDir, Labels: c.Labels, ExposedPorts: c.ExposedPorts, Volumes: c.Volumes, StopSignal: c.StopSignal,
			Healthcheck: newHealthConfigView(c.Healthcheck), Shell: c.Shell},
		Architecture: ii.Architecture, Os: ii.OS, Size: ii.Size,
		RootFS:          rootFSView{Type: "layers", Layers: ii.Layers},
		StartupCommands: ii.StartupCommands,
		ours:            ii,
	}
}
