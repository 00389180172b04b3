package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/errdefs"
)

// update depends on a runtime method found by interface assertion, as
// pause does (pause.go).

// updater is implemented by a runtime that can change a running
// container's cgroup limits.
type updater interface {
	Update(ctx context.Context, id string, r *specs.LinuxResources) error
}

// updateFlags are runc's `update` flags. Values are kept as given and
// parsed by fromFlags, so that an unset flag is told from a zero.
type updateFlags struct {
	resources string
	set       *pflag.FlagSet
}

// The limit flags, with runc's spellings and meanings. A value of 0 (or
// "") leaves the current limit, as in runc; -1 lifts a memory, swap or
// quota limit.
const (
	flagBlkioWeight   = "blkio-weight"
	flagCPUPeriod     = "cpu-period"
	flagCPUQuota      = "cpu-quota"
	flagCPUShare      = "cpu-share"
	flagCPURtPeriod   = "cpu-rt-period"
	flagCPURtRuntime  = "cpu-rt-runtime"
	flagCPUIdle       = "cpu-idle"
	flagCpusetCpus    = "cpuset-cpus"
	flagCpusetMems    = "cpuset-mems"
	flagMemory        = "memory"
	flagMemoryReserve = "memory-reservation"
	flagMemorySwap    = "memory-swap"
	flagPidsLimit     = "pids-limit"
)

// limitFlags are every limit flag, in help order.
var limitFlags = []string{
	flagBlkioWeight, flagCPUPeriod, flagCPUQuota, flagCPUShare, "cpu-shares", flagCPURtPeriod,
	flagCPURtRuntime, flagCPUIdle, flagCpusetCpus, flagCpusetMems, flagMemory, flagMemoryReserve,
	flagMemorySwap, flagPidsLimit,
}

// refusedFlags are runc's `update` flags for what this runtime does not
// do, with the reason given when one is used.
var refusedFlags = map[string]string{
	"kernel-memory":     "kernel memory limits are obsolete since Linux 5.4 (and absent from cgroup v2); this runtime does not set them",
	"kernel-memory-tcp": "kernel TCP memory limits are obsolete since Linux 5.4 (and absent from cgroup v2); this runtime does not set them",
	"l3-cache-schema":   "Intel RDT (resctrl) is not supported by this runtime",
	"mem-bw-schema":     "Intel RDT (resctrl) is not supported by this runtime",
}

func newUpdateCommand(a *app) *cobra.Command {
	u := &updateFlags{}
	cmd := &cobra.Command{
		Use:   "update [flags] ID",
		Short: "Change the cgroup limits of a created, running or paused container",
		Long: `Change the cgroup limits of a container, from flags or, with -r, from a
JSON linux.resources object (a file, or "-" for stdin), as runc does.
Limits not named keep their values; a 0 also means "unchanged".
Memory sizes take units (128m, 1g); -1 lifts the limit.`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			res, err := u.read(cmd.InOrStdin())
			if err != nil {
				return err
			}
			r, err := a.containerRuntime(id)
			if err != nil {
				return err
			}
			up, ok := any(r).(updater)
			if !ok {
				return unsupported("update")
			}
			return containerError(id, up.Update(cmd.Context(), id, res))
		},
	}
	u.register(cmd.Flags())
	return cmd
}

// register adds the flags to f.
func (u *updateFlags) register(f *pflag.FlagSet) {
	u.set = f
	f.StringVarP(&u.resources, "resources", "r", "",
		`JSON file of linux.resources to apply ("-" reads stdin); not combined with the limit flags`)
	f.String(flagBlkioWeight, "", "block I/O weight, 10-1000 (where the host's I/O scheduler has weights)")
	f.String(flagCPUPeriod, "", "CPU CFS period in µs")
	f.String(flagCPUQuota, "", "CPU CFS quota in µs per period (-1: no limit)")
	f.String(flagCPUShare, "", "CPU shares (relative weight)")
	f.String("cpu-shares", "", "same as --cpu-share")
	f.String(flagCPURtPeriod, "", "CPU realtime period in µs")
	f.String(flagCPURtRuntime, "", "CPU realtime runtime in µs")
	f.String(flagCPUIdle, "", "1: SCHED_IDLE for the cgroup, 0: normal")
	f.String(flagCpusetCpus, "", "CPUs the container may use (0-3,5)")
	f.String(flagCpusetMems, "", "memory nodes the container may use (0,1)")
	f.String(flagMemory, "", "memory limit (128m, 1g; -1: no limit)")
	f.String(flagMemoryReserve, "", "memory soft limit")
	f.String(flagMemorySwap, "", "memory+swap limit (-1: no limit)")
	f.String(flagPidsLimit, "", "maximum number of processes (-1: no limit)")
	for name, why := range refusedFlags {
		f.String(name, "", "not supported: "+why)
	}
}

// read returns the update the command line asks for: the -r file's, or
// the limit flags'. Mixing them is refused (runc silently ignores the
// flags then).
func (u *updateFlags) read(stdin io.Reader) (*specs.LinuxResources, error) {
	for _, name := range slices.Sorted(maps.Keys(refusedFlags)) {
		if u.set.Changed(name) {
			return nil, fmt.Errorf("--%s: %s: %w", name, refusedFlags[name], errdefs.ErrInvalidArgument)
		}
	}
	var limits []string
	for _, name := range limitFlags {
		if u.set.Changed(name) {
			limits = append(limits, "--"+name)
		}
	}
	if u.set.Changed("resources") {
		if len(limits) > 0 {
			return nil, fmt.Errorf("--resources cannot be combined with %v: name those limits in the JSON instead: %w",
				limits, errdefs.ErrInvalidArgument)
		}
		return readResources(stdin, u.resources)
	}
	if len(limits) == 0 {
		return nil, fmt.Errorf("update needs a limit flag (--memory, --cpu-quota, ...) or --resources FILE (\"-\" for stdin): %w",
			errdefs.ErrInvalidArgument)
	}
	return u.fromFlags()
}

// fromFlags builds the update from the limit flags.
func (u *updateFlags) fromFlags() (*specs.LinuxResources, error) {
	res := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{},
		CPU:     &specs.LinuxCPU{},
		BlockIO: &specs.LinuxBlockIO{},
		Pids:    &specs.LinuxPids{},
	}
	p := flagParser{set: u.set}
	res.Memory.Limit = p.bytes(flagMemory)
	res.Memory.Reservation = p.bytes(flagMemoryReserve)
	res.Memory.Swap = p.bytes(flagMemorySwap)
	res.CPU.Period = p.uint(flagCPUPeriod, 64)
	res.CPU.Quota = p.int(flagCPUQuota)
	res.CPU.Shares = p.uint(flagCPUShare, 64)
	if shares := p.uint("cpu-shares", 64); shares != nil {
		res.CPU.Shares = shares
	}
	res.CPU.RealtimePeriod = p.uint(flagCPURtPeriod, 64)
	res.CPU.RealtimeRuntime = p.int(flagCPURtRuntime)
	res.CPU.Idle = p.int(flagCPUIdle)
	res.CPU.Cpus = p.str(flagCpusetCpus)
	res.CPU.Mems = p.str(flagCpusetMems)
	res.Pids.Limit = p.int(flagPidsLimit)
	if w := p.uint(flagBlkioWeight, 16); w != nil {
		res.BlockIO.Weight = ptrTo(uint16(*w))
	}
	if p.err != nil {
		return nil, p.err
	}
	return res, nil
}

// flagParser parses the set limit flags, keeping the first error.
type flagParser struct {
	set *pflag.FlagSet
	err error
}

// str returns the flag's value, "" when unset.
func (p *flagParser) str(name string) string {
	if !p.set.Changed(name) {
		return ""
	}
	v, _ := p.set.GetString(name)
	return v
}

func (p *flagParser) fail(name, v string, err error) {
	if p.err == nil {
		p.err = fmt.Errorf("--%s %q: %w: %w", name, v, err, errdefs.ErrInvalidArgument)
	}
}

// bytes parses a memory size with runc's units (binary: 128m is 128 MiB);
// -1 means no limit.
func (p *flagParser) bytes(name string) *int64 {
	v := p.str(name)
	if v == "" {
		return nil
	}
	if v == "-1" {
		return ptrTo[int64](-1)
	}
	n, err := units.RAMInBytes(v)
	if err != nil {
		p.fail(name, v, err)
		return nil
	}
	return &n
}

func (p *flagParser) int(name string) *int64 {
	v := p.str(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		p.fail(name, v, err)
		return nil
	}
	return &n
}

func (p *flagParser) uint(name string, bits int) *uint64 {
	v := p.str(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		p.fail(name, v, err)
		return nil
	}
	return &n
}

func ptrTo[T any](v T) *T { return &v }

// readResources reads a linux.resources object from path, or from stdin
// when path is "-". It is validated by the runtime once merged with the
// container's current limits: a swap total alone is a valid update.
func readResources(stdin io.Reader, path string) (*specs.LinuxResources, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("--resources %s: %w: %w", path, err, errdefs.ErrInvalidArgument)
	}
	var res specs.LinuxResources
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("--resources %s: %w: %w", path, err, errdefs.ErrInvalidArgument)
	}
	return &res, nil
}
