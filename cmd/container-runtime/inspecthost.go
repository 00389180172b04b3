package main

import (
	"strconv"

	units "github.com/docker/go-units"

	"github.com/container-runtime/container-runtime/api"
)

// Docker's HostConfig fields for the run flags of runflags2.go, in
// moby's shapes: Ulimits as {Name, Hard, Soft}, Devices as {PathOnHost,
// PathInContainer, CgroupPermissions}, LogConfig as {Type, Config}, and
// the defaults Docker shows (ShmSize 64 MiB, IpcMode private).

type ulimitView struct {
	Name string
	Hard int64
	Soft int64
}

type deviceView struct {
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}

type logConfigView struct {
	Type   string
	Config map[string]string
}

// hostFieldsView fills hc's run-flag fields from cfg.
func hostFieldsView(hc *hostConfigView, cfg api.ContainerCreate) {
	hc.Ulimits = []ulimitView{}
	for _, u := range cfg.Ulimits {
		hc.Ulimits = append(hc.Ulimits, ulimitView{Name: u.Name, Hard: u.Hard, Soft: u.Soft})
	}
	hc.Sysctls = cfg.Sysctls
	hc.Devices = []deviceView{}
	for _, d := range cfg.Devices {
		hc.Devices = append(hc.Devices, deviceView{PathOnHost: d.PathOnHost, PathInContainer: d.PathInContainer, CgroupPermissions: d.CgroupPermissions})
	}
	hc.ShmSize = cfg.ShmSize
	if hc.ShmSize == 0 && (cfg.IpcMode == "" || cfg.IpcMode == "private" || cfg.IpcMode == "shareable") {
		hc.ShmSize = 64 << 20
	}
	hc.GroupAdd = cfg.GroupAdd
	hc.PidMode, hc.IpcMode, hc.UTSMode = cfg.PidMode, orDefault(cfg.IpcMode, "private"), cfg.UTSMode
	hc.LogConfig = logConfigView{Type: orDefault(cfg.LogDriver, "json-file"), Config: map[string]string{}}
	if cfg.Log.MaxSize > 0 {
		hc.LogConfig.Config["max-size"] = units.BytesSize(float64(cfg.Log.MaxSize))
	}
	if cfg.Log.MaxFiles > 0 {
		hc.LogConfig.Config["max-file"] = strconv.Itoa(cfg.Log.MaxFiles)
	}
}
