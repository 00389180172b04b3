package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// volumeCommand groups Docker's volume subcommands.
func (c *cli) volumeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "volume",
		Short: "Manage volumes (create, ls, inspect, rm, prune)",
		Long: `Manage volumes: directories under the daemon's data root that outlive the
containers mounting them (run -v NAME:/path, --mount type=volume). A volume
is made on first use; -v /path and an image's VOLUME make anonymous ones,
removed by rm -v, --rm and volume prune. A volume some container uses,
running or not, cannot be removed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(c.volumeCreateCommand(), c.volumeListCommand(), c.volumeInspectCommand(),
		c.volumeRemoveCommand(), c.volumePruneCommand())
	return cmd
}

func (c *cli) volumeCreateCommand() *cobra.Command {
	var (
		name, driver string
		labels, opts []string
	)
	cmd := &cobra.Command{
		Use:   "create [--label KEY=VALUE] [NAME]",
		Short: "Create a volume and print its name",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if name != "" {
					return &usageError{err: fmt.Errorf("conflicting options: either specify --name or provide positional arg, not both"), cmd: cmd, code: 1}
				}
				name = args[0]
			}
			req := api.VolumeCreate{Name: name, Driver: driver}
			var err error
			if req.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			if req.DriverOpts, err = parseVolumeOpts(opts); err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			v, err := cl.VolumeCreate(cmd.Context(), req)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.out, v.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the volume's name (as the argument)")
	cmd.Flags().StringVarP(&driver, "driver", "d", "local", "volume driver (local only)")
	cmd.Flags().StringArrayVar(&labels, "label", nil, "set a label (KEY=VALUE)")
	cmd.Flags().StringArrayVarP(&opts, "opt", "o", nil, "driver option KEY=VALUE (the local driver here takes none)")
	return cmd
}

// parseVolumeOpts parses --opt KEY=VALUE; the daemon says which it takes.
func parseVolumeOpts(opts []string) (map[string]string, error) {
	if len(opts) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid --opt %q: want KEY=VALUE", o)
		}
		m[k] = v
	}
	return m, nil
}

func (c *cli) volumeListCommand() *cobra.Command {
	var (
		quiet   bool
		format  string
		filters filterFlag
	)
	cmd := &cobra.Command{
		Use:     "ls [-q] [--filter KEY=VALUE] [--format table|json|TEMPLATE]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Long: `List volumes. Filters: name=SUBSTRING, label=KEY or label=KEY=VALUE,
dangling=true|false (used by no container). --format takes Docker's fields:
{{.Name}} {{.Driver}} {{.Scope}} {{.Mountpoint}} {{.Labels}} {{.Label "k"}}
{{.CreatedAt}} {{.Links}}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := parseOutput(format)
			if err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			list, err := cl.VolumeList(cmd.Context(), api.VolumeListOptions{Filters: filters})
			if err != nil {
				return err
			}
			switch {
			case quiet:
				for _, v := range list {
					fmt.Fprintln(c.out, v.Name)
				}
			case out.isTable():
				return volumeTable(c.out, list)
			default:
				rows := make([]any, 0, len(list))
				for _, v := range list {
					rows = append(rows, newVolumeRow(v))
				}
				return out.list(c.out, volumeHeader, rows)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only volume names")
	cmd.Flags().StringVar(&format, "format", "", "table (default), json (one object per line), a Go template or table TEMPLATE")
	cmd.Flags().VarP(&filters, "filter", "f", "filter: name=, label=, dangling=")
	return cmd
}

// volumeTable is Docker's volume ls layout.
func volumeTable(w io.Writer, list []api.Volume) error {
	t := newTable(w, "DRIVER", "VOLUME NAME")
	for _, v := range list {
		t.row(v.Driver, v.Name)
	}
	return t.flush()
}

// volumeRow is one volume as Docker's volume ls templates see it.
type volumeRow struct {
	Availability string
	CreatedAt    string
	Driver       string
	Group        string
	Labels       string
	Links        string
	Mountpoint   string
	Name         string
	Scope        string
	Size         string
	Status       string

	labels map[string]string
}

// Label is the value of one label ({{.Label "k"}}), "" when unset.
func (r volumeRow) Label(key string) string { return r.labels[key] }

func newVolumeRow(v api.Volume) volumeRow {
	return volumeRow{
		Availability: "N/A", CreatedAt: createdAt(v.CreatedAt), Driver: v.Driver, Group: "N/A",
		Labels: joinLabels(v.Labels), Links: fmt.Sprint(len(v.UsedBy)), Mountpoint: v.Mountpoint,
		Name: v.Name, Scope: v.Scope, Size: "N/A", Status: "N/A", labels: v.Labels,
	}
}

// volumeHeader are the column names of volume ls's table directive.
var volumeHeader = headerRow{
	"Availability": "AVAILABILITY", "CreatedAt": "CREATED", "Driver": "DRIVER", "Group": "GROUP",
	"Labels": "LABELS", "Links": "LINKS", "Mountpoint": "MOUNTPOINT", "Name": "VOLUME NAME",
	"Scope": "SCOPE", "Size": "SIZE", "Status": "STATUS",
}

// volumeView is a volume as Docker's volume inspect prints it.
type volumeView struct {
	CreatedAt  string
	Driver     string
	Labels     map[string]string
	Mountpoint string
	Name       string
	Options    map[string]string
	Scope      string
}

func newVolumeView(v api.Volume) volumeView {
	return volumeView{
		CreatedAt: v.CreatedAt.Format(time.RFC3339), Driver: v.Driver, Labels: v.Labels,
		Mountpoint: v.Mountpoint, Name: v.Name, Options: v.Options, Scope: v.Scope,
	}
}

func (c *cli) volumeInspectCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [--format json|TEMPLATE] VOLUME...",
		Short: "Show the details of volumes as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.inspectEach(format, args, func(cl *client.Client, name string) (any, error) {
				v, err := cl.VolumeInspect(cmd.Context(), name)
				if err != nil {
					return nil, err
				}
				return newVolumeView(v), nil
			})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json (default) or a Go template")
	return cmd
}

func (c *cli) volumeRemoveCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm [-f] VOLUME...",
		Aliases: []string{"remove"},
		Short:   "Remove volumes (no container may use them, even with -f)",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			return c.eachContainer(cmd.Context(), args, func(name string) error {
				return cl.VolumeRemove(cmd.Context(), name, force)
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "no error for a volume that does not exist")
	return cmd
}

func (c *cli) volumePruneCommand() *cobra.Command {
	var (
		force, all bool
		filters    filterFlag
	)
	cmd := &cobra.Command{
		Use:   "prune [-f] [-a] [--filter label=KEY[=VALUE]]",
		Short: "Remove the anonymous volumes no container uses (all unused ones with -a)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			warning := "WARNING! This will remove anonymous local volumes not used by at least one container."
			if all {
				warning = "WARNING! This will remove all local volumes not used by at least one container."
			}
			if !force && !c.confirm(warning) {
				return nil
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			r, err := cl.VolumePrune(cmd.Context(), api.VolumePruneOptions{All: all, Filters: filters})
			if err != nil {
				return err
			}
			if len(r.Deleted) > 0 {
				fmt.Fprintln(c.out, "Deleted Volumes:")
				for _, d := range r.Deleted {
					fmt.Fprintln(c.out, d)
				}
				fmt.Fprintln(c.out)
			}
			fmt.Fprintf(c.out, "Total reclaimed space: %s\n", humanSize(r.SpaceReclaimed))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove every unused volume, not only anonymous ones")
	cmd.Flags().Var(&filters, "filter", "filter: label=KEY[=VALUE], label!=KEY[=VALUE]")
	return cmd
}
