package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// listFlags are the flags of ps and list.
type listFlags struct {
	all     bool
	quiet   bool
	noTrunc bool
	format  string
	// filter, last, latest and size are ps's --filter, -n, -l and -s.
	filter filterFlag
	last   int
	latest bool
	size   bool
}

func (f *listFlags) add(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.BoolVarP(&f.all, "all", "a", false, "show stopped containers too")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print only container ids")
	fs.BoolVar(&f.noTrunc, "no-trunc", false, "do not shorten ids and commands")
	fs.StringVar(&f.format, "format", "", "table (default), json (one object per line), a Go template ('{{.Names}}\\t{{.Status}}') or 'table TEMPLATE'")
	fs.VarP(&f.filter, "filter", "f", "filter by name, label, status, ancestor, id, network, exited, before or since (KEY=VALUE, repeatable)")
	fs.IntVarP(&f.last, "last", "n", -1, "show the n last created containers (all states)")
	fs.BoolVarP(&f.latest, "latest", "l", false, "show the latest created container (all states)")
	fs.BoolVarP(&f.size, "size", "s", false, "show the containers' sizes")
}

// options are the list query the flags ask for.
func (f *listFlags) options() api.ContainerListOptions {
	opts := api.ContainerListOptions{All: f.all, Size: f.size, Filters: f.filter}
	if f.last > 0 {
		opts.Limit = f.last
	}
	if f.latest {
		opts.Limit = 1
	}
	return opts
}

// psCommand is Docker's ps.
func (c *cli) psCommand() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "ps [-a] [-q] [-s] [-n N|-l] [--filter KEY=VALUE] [--format json]",
		Short: "List containers (running ones unless -a)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.size {
				return c.listContainers(cmd, f, psSizedTable)
			}
			return c.listContainers(cmd, f, psTable)
		},
	}
	f.add(cmd)
	return cmd
}

// listCommand is the seed's list: the running containers.
func (c *cli) listCommand() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List running containers (the seed's list; -a for all)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.listContainers(cmd, f, seedTable)
		},
	}
	f.add(cmd)
	return cmd
}

// listContainers prints the containers with table for people.
func (c *cli) listContainers(cmd *cobra.Command, f listFlags, table func(io.Writer, []api.ContainerSummary, bool) error) error {
	out, err := parseOutput(f.format)
	if err != nil {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	list, err := cl.ContainerListWith(cmd.Context(), f.options())
	if err != nil {
		return refused(err)
	}
	switch {
	case f.quiet:
		for _, s := range list {
			if f.noTrunc {
				fmt.Fprintln(c.out, s.ID)
			} else {
				fmt.Fprintln(c.out, shortID(s.ID))
			}
		}
	case out.isTable():
		return table(c.out, list, !f.noTrunc)
	default:
		now := time.Now()
		rows := make([]any, 0, len(list))
		for _, s := range list {
			rows = append(rows, newPSRow(s, !f.noTrunc, now))
		}
		return out.list(c.out, psHeader, rows)
	}
	return nil
}

// psTable is Docker's ps layout, with the network before the names.
func psTable(w io.Writer, list []api.ContainerSummary, trunc bool) error {
	now := time.Now()
	t := newTable(w, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NETWORK", "NAMES")
	for _, s := range list {
		id := s.ID
		if trunc {
			id = shortID(id)
		}
		t.row(id, s.Image, quoteCommand(s.Command, trunc), ago(now, s.Created), status(s), displayPorts(s.Ports), s.Network, s.Name)
	}
	return t.flush()
}

// seedTable is the seed's list: names first, with the pid and network
// given to start.
func seedTable(w io.Writer, list []api.ContainerSummary, trunc bool) error {
	t := newTable(w, "NAME", "IMAGE", "NETWORK", "PID", "STATUS", "COMMAND")
	for _, s := range list {
		pid := "-"
		if s.Pid > 0 {
			pid = fmt.Sprint(s.Pid)
		}
		t.row(s.Name, s.Image, s.Network, pid, status(s), quoteCommand(s.Command, trunc))
	}
	return t.flush()
}

// status is the human status, or the state when the daemon gave none.
func status(s api.ContainerSummary) string {
	if s.Status != "" {
		return s.Status
	}
	return s.State
}

// containerCommand holds Docker's container subcommands: ls (ps), prune,
// and the twins of the top-level container verbs (containerVerbs).
func (c *cli) containerCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "container",
		Short: "Manage containers (ls, prune, and the top-level container verbs)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	ls := c.psCommand()
	ls.Use = "ls [-a] [-q] [-s] [-n N|-l] [--filter KEY=VALUE] [--format json]"
	ls.Aliases = []string{"list", "ps"}
	var force bool
	prune := &cobra.Command{
		Use:   "prune [-f]",
		Short: "Remove every stopped container",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !c.confirm("WARNING! This will remove all stopped containers.") {
				return nil
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			r, err := cl.ContainerPrune(cmd.Context())
			if err != nil {
				return err
			}
			c.printPrune(r)
			return nil
		},
	}
	prune.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.AddCommand(ls, prune)
	cmd.AddCommand(c.containerVerbs()...)
	return cmd
}
