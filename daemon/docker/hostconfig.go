package docker

import (
	"fmt"
	"maps"
	"strconv"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// defaultShmSize is the size of a container's own /dev/shm when none is
// asked for (Docker's and the container service's 64 MiB), shown back by
// inspect as Docker shows it.
const defaultShmSize = 64 << 20

// toHostConfig maps the HostConfig fields of the run flags --ulimit,
// --sysctl, --device, --group-add, --pid, --ipc, --uts and --shm-size
// onto out. Their values are checked by the container service (a sysctl
// outside the container's namespaces, an unknown device, a non-shareable
// IPC donor: 400 or 409 before anything is made); here only what cannot
// be expressed in our request is refused.
func toHostConfig(hc *container.HostConfig, out *api.ContainerCreate) error {
	for i, u := range hc.Ulimits {
		if u == nil {
			continue
		}
		if u.Name == "" {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.Ulimits[%d].Name: a limit name is required", i)
		}
		out.Ulimits = append(out.Ulimits, api.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	for i, d := range hc.Devices {
		if d.PathOnHost == "" {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.Devices[%d].PathOnHost: a device path is required", i)
		}
		out.Devices = append(out.Devices, api.DeviceMapping{
			PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions,
		})
	}
	if hc.ShmSize < 0 {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.ShmSize: %d must not be negative", hc.ShmSize)
	}
	out.Sysctls = maps.Clone(hc.Sysctls)
	out.GroupAdd = hc.GroupAdd
	out.ShmSize = hc.ShmSize
	out.PidMode = string(hc.PidMode)
	out.IpcMode = string(hc.IpcMode)
	out.UTSMode = string(hc.UTSMode)
	return nil
}

// toLog maps Docker's log drivers: json-file and local are the
// container's log file, their size options our rotation; none keeps no
// log. Another driver is refused (its logs would go nowhere).
func toLog(lc container.LogConfig) (driver string, opts api.LogOpts, err error) {
	switch lc.Type {
	case "", "json-file", "local":
	case "none":
		if len(lc.Config) > 0 {
			return "", api.LogOpts{}, unsupported("HostConfig.LogConfig.Config", "a log option with the none driver")
		}
		return "none", api.LogOpts{}, nil
	default:
		return "", api.LogOpts{}, unsupported("HostConfig.LogConfig.Type", fmt.Sprintf("log driver %q", lc.Type))
	}
	for k, v := range lc.Config {
		switch k {
		case "max-size":
			n, err := units.RAMInBytes(v)
			if err != nil {
				return "", api.LogOpts{}, errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.LogConfig.Config[max-size]: %v", err)
			}
			opts.MaxSize = n
		case "max-file":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return "", api.LogOpts{}, errdefs.Kindf(errdefs.ErrInvalidArgument, "HostConfig.LogConfig.Config[max-file]: %q is not a positive number", v)
			}
			opts.MaxFiles = n
		default:
			return "", api.LogOpts{}, unsupported("HostConfig.LogConfig.Config", fmt.Sprintf("log option %q", k))
		}
	}
	return lc.Type, opts, nil
}

// hostConfigOf fills the inspect's HostConfig fields of the run flags
// from our request, as Docker shows them: the log driver json-file and
// the 64 MiB /dev/shm when none was asked for, the IPC mode private.
func hostConfigOf(cfg api.ContainerCreate, hc *container.HostConfig) {
	hc.LogConfig = container.LogConfig{Type: cfg.LogDriver, Config: map[string]string{}}
	if hc.LogConfig.Type == "" {
		hc.LogConfig.Type = "json-file"
	}
	if cfg.Log.MaxSize > 0 {
		hc.LogConfig.Config["max-size"] = strconv.FormatInt(cfg.Log.MaxSize, 10)
	}
	if cfg.Log.MaxFiles > 0 {
		hc.LogConfig.Config["max-file"] = strconv.Itoa(cfg.Log.MaxFiles)
	}
	for _, u := range cfg.Ulimits {
		hc.Ulimits = append(hc.Ulimits, &container.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	for _, d := range cfg.Devices {
		hc.Devices = append(hc.Devices, container.DeviceMapping{
			PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions,
		})
	}
	hc.Sysctls = cfg.Sysctls
	hc.GroupAdd = cfg.GroupAdd
	hc.PidMode = container.PidMode(cfg.PidMode)
	hc.UTSMode = container.UTSMode(cfg.UTSMode)
	hc.IpcMode = container.IpcMode(cfg.IpcMode)
	if hc.IpcMode == "" {
		hc.IpcMode = container.IPCModePrivate
	}
	hc.ShmSize = cfg.ShmSize
	if hc.ShmSize == 0 && (hc.IpcMode == container.IPCModePrivate || hc.IpcMode == container.IPCModeShareable) {
		hc.ShmSize = defaultShmSize
	}
}
