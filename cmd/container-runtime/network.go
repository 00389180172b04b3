package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// networkCommand groups Docker's network subcommands.
func (c *cli) networkCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Manage networks (create, ls, inspect, rm, connect, disconnect, prune)",
		Long: `Manage networks. The predefined ones are bridge (the default of run and
create: a private address, NAT to the outside, published ports), host (the
host's network) and none (only lo). A network made by create has a bridge
and subnet of its own; its containers reach each other by container name,
and not the containers of other networks.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(c.networkCreateCommand(), c.networkListCommand(), c.networkInspectCommand(), c.networkRemoveCommand())
	cmd.AddCommand(c.networkConnectCommands()...)
	return cmd
}

func (c *cli) networkCreateCommand() *cobra.Command {
	var (
		subnet string
		labels []string
	)
	cmd := &cobra.Command{
		Use:   "create [--subnet CIDR] NAME",
		Short: "Create a network and print its id",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := parseLabels(labels)
			if err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			n, err := cl.NetworkCreate(cmd.Context(), api.NetworkCreate{Name: args[0], Subnet: subnet, Labels: l})
			if err != nil {
				return err
			}
			fmt.Fprintln(c.out, n.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&subnet, "subnet", "", "IPv4 subnet, e.g. 10.80.0.0/24 (default: a free /24)")
	cmd.Flags().StringArrayVarP(&labels, "label", "l", nil, "set a label (KEY=VALUE)")
	return cmd
}

func (c *cli) networkListCommand() *cobra.Command {
	var (
		quiet, noTrunc bool
		format         string
		filters        []string
	)
	cmd := &cobra.Command{
		Use:     "ls [-q] [--filter KEY=VALUE] [--format json]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			filter, err := parseNetworkFilter(filters)
			if err != nil {
				return err
			}
			out, all, err := fetch(c, cmd, format, (*client.Client).NetworkList)
			if err != nil {
				return err
			}
			var list []api.Network
			for _, n := range all {
				if filter.match(n) {
					list = append(list, n)
				}
			}
			switch {
			case quiet:
				for _, n := range list {
					fmt.Fprintln(c.out, networkID(n.ID, !noTrunc))
				}
			case out.isTable():
				return networkTable(c.out, list, !noTrunc)
			default:
				for _, n := range list {
					if err := out.item(c.out, n); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "Docker's filters: driver, id, label, name, scope, type (custom or builtin)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only network ids")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "do not shorten ids")
	cmd.Flags().StringVar(&format, "format", "", "table (default), json (one object per line) or a Go template")
	return cmd
}

// networkTable is Docker's network ls layout, with the subnet.
func networkTable(w io.Writer, list []api.Network, trunc bool) error {
	t := newTable(w, "NETWORK ID", "NAME", "DRIVER", "SUBNET", "GATEWAY", "BRIDGE")
	for _, n := range list {
		t.row(networkID(n.ID, trunc), n.Name, n.Driver, orDash(n.Subnet), orDash(n.Gateway), orDash(n.BridgeName))
	}
	return t.flush()
}

// networkID shortens a network id as Docker does (host and none are
// their own ids).
func networkID(id string, trunc bool) string {
	if trunc && len(id) > 12 {
		return id[:12]
	}
	return id
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (c *cli) networkInspectCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [--format json|TEMPLATE] NETWORK...",
		Short: "Show the details of networks, with their containers, as JSON",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.inspectEach(format, args, func(cl *client.Client, name string) (any, error) {
				return cl.NetworkInspect(cmd.Context(), name)
			})
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "json (default) or a Go template")
	return cmd
}

func (c *cli) networkRemoveCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "rm NETWORK...",
		Aliases: []string{"remove"},
		Short:   "Remove networks (they must have no running containers)",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			return c.eachContainer(cmd.Context(), args, func(name string) error {
				return cl.NetworkRemove(cmd.Context(), name)
			})
		},
	}
}
