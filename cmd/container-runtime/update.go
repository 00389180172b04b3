package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// updateFlags are the flags of update, kept as given: only the flags the
// user set are sent.
type updateFlags struct {
	memory, memorySwap, cpus, cpuset, restart string
	cpuShares, pidsLimit                      int64
}

// updateCommand is Docker's update: new limits (and restart policy) for
// running, paused or stopped containers, kept for their next starts.
func (c *cli) updateCommand() *cobra.Command {
	var f updateFlags
	cmd := &cobra.Command{
		Use:               "update [-m MEMORY] [--memory-swap SIZE] [--cpus N] [-c SHARES] [--cpuset-cpus LIST] [--pids-limit N] [--restart POLICY] CONTAINER...",
		Short:             "Change the limits and restart policy of containers",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: c.completeContainers(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.request(cmd)
			if err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			// As Docker: each container updated is named on stdout, the
			// failures are reported together at the end.
			var errs, warnings []error
			for _, name := range args {
				res, err := cl.ContainerUpdate(cmd.Context(), name, req)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintln(c.out, name)
				for _, w := range res.Warnings {
					warnings = append(warnings, errors.New(w))
				}
			}
			for _, w := range warnings {
				fmt.Fprintln(c.out, w)
			}
			return refused(errors.Join(errs...))
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.memory, "memory", "m", "", "memory limit (e.g. 512m, 1g; at least 6m)")
	fs.StringVar(&f.memorySwap, "memory-swap", "", "memory plus swap limit (e.g. 1g), -1 for unlimited swap")
	fs.StringVar(&f.cpus, "cpus", "", "number of CPUs (e.g. 1.5)")
	fs.Int64VarP(&f.cpuShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	fs.StringVar(&f.cpuset, "cpuset-cpus", "", "CPUs the container may use (0-3, 0,1)")
	fs.Int64Var(&f.pidsLimit, "pids-limit", 0, "maximum number of tasks (-1 for unlimited)")
	fs.StringVar(&f.restart, "restart", "", "restart policy: no, on-failure[:N], always, unless-stopped")
	return cmd
}

// request turns the flags the user set into the update. A value that
// does not parse is a usage error (exit 125, as a bad flag value is to
// Docker); no flag at all is Docker's "you must provide one or more
// flags" (exit 1).
func (f *updateFlags) request(cmd *cobra.Command) (api.ContainerUpdate, error) {
	var req api.ContainerUpdate
	fs := cmd.Flags()
	if fs.NFlag() == 0 {
		return req, &usageError{err: errors.New("you must provide one or more flags when using this command"), cmd: cmd, code: 1}
	}
	bad := func(flag, value, want string) error {
		return &usageError{err: fmt.Errorf("invalid argument %q for --%s: %s", value, flag, want), cmd: cmd, code: exitEngine}
	}
	var err error
	if fs.Changed("memory") {
		if req.Memory, err = units.RAMInBytes(f.memory); err != nil || req.Memory <= 0 {
			return req, bad("memory", f.memory, "want a size such as 512m or 1g")
		}
	}
	if fs.Changed("memory-swap") {
		if f.memorySwap == "-1" {
			req.MemorySwap = -1
		} else if req.MemorySwap, err = units.RAMInBytes(f.memorySwap); err != nil || req.MemorySwap <= 0 {
			return req, bad("memory-swap", f.memorySwap, "want a size such as 1g, or -1")
		}
	}
	if fs.Changed("cpus") {
		n, err := strconv.ParseFloat(f.cpus, 64)
		if err != nil || n <= 0 || math.IsInf(n, 0) {
			return req, bad("cpus", f.cpus, "want a positive number such as 1.5")
		}
		req.NanoCPUs = int64(math.Round(n * 1e9))
	}
	if fs.Changed("cpu-shares") {
		req.CPUShares = f.cpuShares
	}
	if fs.Changed("cpuset-cpus") {
		req.CpusetCpus = f.cpuset
	}
	if fs.Changed("pids-limit") {
		req.PidsLimit = &f.pidsLimit
	}
	if fs.Changed("restart") {
		p, err := parseRestart(f.restart)
		if err != nil {
			return req, &usageError{err: err, cmd: cmd, code: exitEngine}
		}
		req.RestartPolicy = &p
	}
	return req, nil
}
