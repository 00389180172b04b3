package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

// hostFlags are the run/create flags of Docker's HostConfig that set
// process limits, kernel parameters, devices and namespaces, plus
// --cidfile, --platform, --label-file and --log-driver. The daemon checks
// what depends on the container (which sysctls its namespaces allow,
// which devices exist); the parsers here only check the syntax.
type hostFlags struct {
	ulimits   []string
	sysctls   []string
	devices   []string
	shmSize   string
	groupAdd  []string
	cidfile   string
	pid       string
	ipc       string
	uts       string
	platform  string
	labelFile []string
	logDriver string
}

// addFlags registers the flags on fs.
func (h *hostFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&h.ulimits, "ulimit", nil, "resource limit: NAME=SOFT[:HARD] (nofile, nproc, core, ...; -1 is unlimited)")
	fs.StringArrayVar(&h.sysctls, "sysctl", nil, "namespaced kernel parameter: KEY=VALUE (net.*, fs.mqueue.*, kernel.msg*, sem, shm*)")
	fs.StringArrayVar(&h.devices, "device", nil, "give the container a host device: HOST[:CONTAINER[:PERMS]] (PERMS of r, w, m; default rwm)")
	fs.StringVar(&h.shmSize, "shm-size", "", "size of /dev/shm (e.g. 128m; default 64m)")
	fs.StringArrayVar(&h.groupAdd, "group-add", nil, "add a supplementary group (a name of the container's /etc/group, or an id)")
	fs.StringVar(&h.cidfile, "cidfile", "", "write the container's id to FILE (which must not exist)")
	fs.StringVar(&h.pid, "pid", "", "PID namespace: host, or container:NAME to join another container's")
	fs.StringVar(&h.ipc, "ipc", "", "IPC namespace: private (default), shareable, host, none, or container:NAME (a shareable one)")
	fs.StringVar(&h.uts, "uts", "", "UTS namespace: host (the host's hostname)")
	fs.StringVar(&h.platform, "platform", "", "platform the container must run on: linux, linux/amd64 or this machine's")
	fs.StringArrayVar(&h.labelFile, "label-file", nil, "read labels from a file (KEY=VALUE lines)")
	fs.StringVar(&h.logDriver, "log-driver", "", "log driver: json-file (default), local, or none (no log kept)")
}

// apply fills req's fields from the flags. Labels from --label-file come
// first: a --label of the same key overrides them, as in Docker.
func (h *hostFlags) apply(req *api.ContainerCreate) error {
	var err error
	if req.Ulimits, err = parseUlimits(h.ulimits); err != nil {
		return err
	}
	if req.Sysctls, err = parseSysctls(h.sysctls); err != nil {
		return err
	}
	for _, d := range h.devices {
		dm, err := parseDevice(d)
		if err != nil {
			return err
		}
		req.Devices = append(req.Devices, dm)
	}
	if h.shmSize != "" {
		n, err := units.RAMInBytes(h.shmSize)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid --shm-size %q: want a size such as 64m", h.shmSize)
		}
		req.ShmSize = n
	}
	req.GroupAdd = h.groupAdd
	req.PidMode, req.IpcMode, req.UTSMode = h.pid, h.ipc, h.uts
	req.Platform, req.LogDriver = h.platform, h.logDriver
	if len(h.labelFile) > 0 {
		fromFiles := map[string]string{}
		for _, file := range h.labelFile {
			lines, err := readKVFile(file)
			if err != nil {
				return fmt.Errorf("--label-file: %w", err)
			}
			labels, err := parseLabels(lines)
			if err != nil {
				return fmt.Errorf("--label-file %s: %w", file, err)
			}
			for k, v := range labels {
				fromFiles[k] = v
			}
		}
		for k, v := range req.Labels {
			fromFiles[k] = v
		}
		req.Labels = fromFiles
	}
	return nil
}

// parseUlimits parses --ulimit NAME=SOFT[:HARD]; HARD defaults to SOFT,
// "unlimited" and -1 mean no limit, and a later flag for a name replaces
// an earlier one, as Docker's. The names are checked by the daemon.
func parseUlimits(specs []string) ([]api.Ulimit, error) {
	var out []api.Ulimit
	for _, s := range specs {
		name, limits, ok := strings.Cut(s, "=")
		if !ok || name == "" || limits == "" {
			return nil, fmt.Errorf("invalid --ulimit %q: want NAME=SOFT[:HARD]", s)
		}
		softS, hardS, hasHard := strings.Cut(limits, ":")
		soft, err := parseLimit(softS)
		if err != nil {
			return nil, fmt.Errorf("invalid --ulimit %q: soft limit: %w", s, err)
		}
		hard := soft
		if hasHard {
			if hard, err = parseLimit(hardS); err != nil {
				return nil, fmt.Errorf("invalid --ulimit %q: hard limit: %w", s, err)
			}
		}
		if uint64(soft) > uint64(hard) { // -1, unlimited, is the largest
			return nil, fmt.Errorf("invalid --ulimit %q: ulimit soft limit must be less than or equal to hard limit", s)
		}
		u := api.Ulimit{Name: name, Soft: soft, Hard: hard}
		replaced := false
		for i := range out {
			if out[i].Name == name {
				out[i], replaced = u, true
			}
		}
		if !replaced {
			out = append(out, u)
		}
	}
	return out, nil
}

// parseLimit parses one limit: a number, or -1 / unlimited.
func parseLimit(s string) (int64, error) {
	if s == "unlimited" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -1 {
		return 0, fmt.Errorf("%q is not a number (or -1, unlimited)", s)
	}
	return n, nil
}

// parseSysctls parses --sysctl KEY=VALUE. Which keys are allowed depends
// on the container's namespaces: the daemon decides.
func parseSysctls(specs []string) (map[string]string, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, s := range specs {
		k, v, ok := strings.Cut(s, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid --sysctl %q: want KEY=VALUE", s)
		}
		out[k] = v
	}
	return out, nil
}

// parseDevice parses --device HOST[:CONTAINER[:PERMS]], as Docker: with
// two parts the second is PERMS if it reads as permissions, else the
// container's path.
func parseDevice(s string) (api.DeviceMapping, error) {
	d := api.DeviceMapping{CgroupPermissions: "rwm"}
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		d.PathOnHost = parts[0]
	case 2:
		d.PathOnHost = parts[0]
		if isDeviceMode(parts[1]) {
			d.CgroupPermissions = parts[1]
		} else {
			d.PathInContainer = parts[1]
		}
	case 3:
		d.PathOnHost, d.PathInContainer = parts[0], parts[1]
		if !isDeviceMode(parts[2]) {
			return d, fmt.Errorf("invalid device mode %q in --device %q: want a combination of r, w and m", parts[2], s)
		}
		d.CgroupPermissions = parts[2]
	default:
		return d, fmt.Errorf("invalid device specification: %q: want HOST[:CONTAINER[:PERMS]]", s)
	}
	if !strings.HasPrefix(d.PathOnHost, "/") {
		return d, fmt.Errorf("invalid --device %q: the host path must be absolute", s)
	}
	if d.PathInContainer == "" {
		d.PathInContainer = d.PathOnHost
	}
	if !strings.HasPrefix(d.PathInContainer, "/") {
		return d, fmt.Errorf("invalid --device %q: the container path must be absolute", s)
	}
	return d, nil
}

// isDeviceMode: one to three of r, w and m, none twice.
func isDeviceMode(m string) bool {
	if m == "" || len(m) > 3 {
		return false
	}
	for i, c := range m {
		if !strings.ContainsRune("rwm", c) || strings.ContainsRune(m[:i], c) {
			return false
		}
	}
	return true
}

// readKVFile reads a KEY=VALUE file as Docker's --env-file and
// --label-file: one entry a line, blank lines and # comments skipped.
func readKVFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return lines, nil
}

// cidfile is --cidfile: reserved (created empty, exclusively) before the
// container is made, written with its id after, and removed if nothing
// was written, as Docker.
type cidfile struct {
	f       *os.File
	written bool
}

// openCidfile reserves the --cidfile; without the flag it is a no-op.
func (h *hostFlags) openCidfile() (*cidfile, error) {
	if h.cidfile == "" {
		return &cidfile{}, nil
	}
	f, err := os.OpenFile(h.cidfile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("container ID file found, make sure the other container isn't running or delete %s", h.cidfile)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to create the container ID file: %w", err)
	}
	return &cidfile{f: f}, nil
}

// write writes id to the file.
func (c *cidfile) write(id string) error {
	if c.f == nil {
		return nil
	}
	if _, err := c.f.WriteString(id); err != nil {
		return fmt.Errorf("failed to write the container ID to %s: %w", c.f.Name(), err)
	}
	c.written = true
	return c.f.Close()
}

// close removes the file if no id was written (the create failed).
func (c *cidfile) close() {
	if c.f == nil || c.written {
		return
	}
	c.f.Close()
	os.Remove(c.f.Name())
}
