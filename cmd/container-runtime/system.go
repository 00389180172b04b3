package main

import (
	"bufio"
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
	"github.com/container-runtime/container-runtime/internal/version"
)

// versionString is the client's version.
func versionString() string { return version.Version }

// systemCommand groups Docker's system subcommands.
func (c *cli) systemCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "system",
		Short: "Show daemon information and disk usage, and reclaim space",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(c.infoCommand(), c.dfCommand(), c.systemPruneCommand())
	return cmd
}

// infoCommand is Docker's info (and system info).
func (c *cli) infoCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info [--format json]",
		Short: "Show facts about the daemon and its host",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, info, err := fetch(c, cmd, format, (*client.Client).Info)
			if err != nil {
				return err
			}
			if !out.isTable() {
				return out.item(c.out, info)
			}
			t := newTable(c.out)
			t.row("Containers:", info.Containers)
			t.row(" Running:", info.ContainersRunning)
			t.row(" Stopped:", info.ContainersStopped)
			t.row("Images:", info.Images)
			t.row("Root:", info.Root)
			t.row("Cgroups:", info.CgroupLayout)
			t.row("Kernel:", info.Kernel)
			t.row("Daemon pid:", info.DaemonPid)
			t.row("Daemon memory (RSS):", humanSize(info.DaemonRSS))
			return t.flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "text (default), json or a Go template")
	return cmd
}

func (c *cli) dfCommand() *cobra.Command {
	var format string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "df [-v] [--format json]",
		Short: "Show the disk space used by images, containers, logs and the build cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, du, err := fetch(c, cmd, format, (*client.Client).DiskUsage)
			if err != nil {
				return err
			}
			if !out.isTable() {
				return out.item(c.out, du)
			}
			t := newTable(c.out, "TYPE", "SIZE")
			t.row("Images", humanSize(du.ImagesSize))
			t.row("Layers", humanSize(du.LayersSize))
			t.row("Containers", humanSize(du.ContainersSize))
			t.row("Logs", humanSize(du.LogsSize))
			t.row("Build cache", humanSize(du.BuildCache))
			t.row("Local Volumes", humanSize(du.VolumesSize))
			if err := t.flush(); err != nil || !verbose {
				return err
			}
			return c.printVolumeUsage(du.Volumes)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "table (default), json or a Go template")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also show each volume's size and how many containers use it")
	return cmd
}

// printVolumeUsage is df -v's volume table, as Docker's: LINKS is how
// many containers use the volume; SIZE of one that could not be measured
// is -1B, as the docker CLI prints Docker's -1.
func (c *cli) printVolumeUsage(vols []api.VolumeUsage) error {
	fmt.Fprintln(c.out, "\nLocal Volumes space usage:")
	fmt.Fprintln(c.out)
	t := newTable(c.out, "VOLUME NAME", "LINKS", "SIZE")
	for _, v := range vols {
		t.row(v.Name, v.RefCount, humanSize(v.Size))
	}
	return t.flush()
}

func (c *cli) systemPruneCommand() *cobra.Command {
	var force, all, volumes bool
	cmd := &cobra.Command{
		Use:   "prune [-f] [-a] [--volumes]",
		Short: "Remove stopped containers, unused networks, dangling images, unused layers and the build cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !c.confirm(systemPruneWarning(all, volumes)) {
				return nil
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			r, err := cl.SystemPrune(cmd.Context(), all, volumes)
			if err != nil {
				return err
			}
			c.printPrune(r)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove every image no container uses, not only dangling ones")
	cmd.Flags().BoolVar(&volumes, "volumes", false, "remove the anonymous volumes no container uses too")
	return cmd
}

// systemPruneWarning lists what a system prune removes, as Docker words it.
func systemPruneWarning(all, volumes bool) string {
	lines := []string{"WARNING! This will remove:", "  - all stopped containers", "  - all networks not used by at least one container"}
	if volumes {
		lines = append(lines, "  - all anonymous volumes not used by at least one container")
	}
	if all {
		lines = append(lines, "  - all images without at least one container associated to them")
	} else {
		lines = append(lines, "  - all dangling images")
	}
	lines = append(lines, "  - unused build cache", "")
	return strings.Join(lines, "\n")
}

// confirm asks a yes/no question on stdin; anything but y/yes is no.
func (c *cli) confirm(warning string) bool {
	fmt.Fprintf(c.out, "%s\nAre you sure you want to continue? [y/N] ", warning)
	line, _ := bufio.NewReader(c.in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

func (c *cli) printPrune(r api.PruneReport) {
	if len(r.Deleted) > 0 {
		fmt.Fprintln(c.out, "Deleted:")
		for _, d := range r.Deleted {
			fmt.Fprintln(c.out, d)
		}
		fmt.Fprintln(c.out)
	}
	fmt.Fprintf(c.out, "Total reclaimed space: %s\n", humanSize(r.SpaceReclaimed))
}

// versionCommand prints the client's and the daemon's versions.
func (c *cli) versionCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version [--format json]",
		Short: "Show the client's and the daemon's versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := parseOutput(format)
			if err != nil {
				return err
			}
			local := api.VersionInfo{
				Version: version.Version, APIVersion: api.Version, GoVersion: runtime.Version(),
				OS: runtime.GOOS, Arch: runtime.GOARCH, RuntimeSpec: version.Spec,
			}
			var server *api.VersionInfo
			cl, err := c.client()
			if err == nil {
				var v api.VersionInfo
				if v, err = cl.Version(cmd.Context()); err == nil {
					server = &v
				}
			}
			if !out.isTable() {
				if perr := out.item(c.out, struct {
					Client api.VersionInfo  `json:"client"`
					Server *api.VersionInfo `json:"server"`
				}{local, server}); perr != nil {
					return perr
				}
				return err
			}
			printVersion(c, "Client", local)
			if server != nil {
				fmt.Fprintln(c.out)
				printVersion(c, "Server", *server)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "text (default), json or a Go template")
	return cmd
}

func printVersion(c *cli, title string, v api.VersionInfo) {
	fmt.Fprintf(c.out, "%s:\n", title)
	row := func(k, v string) { fmt.Fprintf(c.out, " %-18s %s\n", k+":", v) }
	row("Version", v.Version)
	row("API version", v.APIVersion)
	row("Go version", v.GoVersion)
	row("OS/Arch", v.OS+"/"+v.Arch)
	if v.RuntimeSpec != "" {
		row("OCI runtime-spec", v.RuntimeSpec)
	}
}
