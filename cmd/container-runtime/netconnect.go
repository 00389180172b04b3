package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// networkConnectCommands are network connect, disconnect and prune.
func (c *cli) networkConnectCommands() []*cobra.Command {
	return []*cobra.Command{c.networkConnectCommand(), c.networkDisconnectCommand(), c.networkPruneCommand()}
}

// networkConnectCommand is Docker's network connect.
func (c *cli) networkConnectCommand() *cobra.Command {
	var req api.NetworkConnect
	cmd := &cobra.Command{
		Use:   "connect [--alias NAME] [--ip ADDRESS] NETWORK CONTAINER",
		Short: "Connect a container to a network",
		Long: `Connect a container to one more network. A running container gets an
interface on it at once (eth1, eth2...; its default route stays on its first
network), and every later start connects it again. On a user-defined network
the container answers to its name and every --alias. The networks host and
none, and containers on them, cannot be connected.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			req.Container = args[1]
			return cl.NetworkConnect(cmd.Context(), args[0], req)
		},
	}
	cmd.Flags().StringArrayVar(&req.Aliases, "alias", nil, "another name of the container on the network")
	cmd.Flags().StringVar(&req.IPAddress, "ip", "", "IPv4 address on the network (user-defined networks only)")
	return cmd
}

// networkDisconnectCommand is Docker's network disconnect.
func (c *cli) networkDisconnectCommand() *cobra.Command {
	var req api.NetworkDisconnect
	cmd := &cobra.Command{
		Use:   "disconnect [-f] NETWORK CONTAINER",
		Short: "Disconnect a container from a network",
		Long: `Take away a network that network connect gave a container, at once if it
runs. A container's first network (its --network) stays.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			req.Container = args[1]
			return cl.NetworkDisconnect(cmd.Context(), args[0], req)
		},
	}
	cmd.Flags().BoolVarP(&req.Force, "force", "f", false, "also remove what is left of a stale attachment")
	return cmd
}

// networkPruneCommand is Docker's network prune.
func (c *cli) networkPruneCommand() *cobra.Command {
	var (
		force  bool
		filter filterFlag
	)
	cmd := &cobra.Command{
		Use:   "prune [-f] [--filter until=24h|label=KEY[=VALUE]|label!=KEY[=VALUE]]",
		Short: "Remove the user-defined networks no container uses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !c.confirm("WARNING! This will remove all custom networks not used by at least one container.") {
				return nil
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			rep, err := cl.NetworkPrune(cmd.Context(), filter)
			if err != nil {
				return err
			}
			if len(rep.NetworksDeleted) > 0 {
				fmt.Fprintln(c.out, "Deleted Networks:")
				for _, n := range rep.NetworksDeleted {
					fmt.Fprintln(c.out, n)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().Var(&filter, "filter", "until=DURATION|TIME, label=KEY[=VALUE] or label!=KEY[=VALUE] (repeatable)")
	return cmd
}
