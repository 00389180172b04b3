package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/runtime"
)

func newStateCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "state ID",
		Short: "Print the state of a container as JSON",
		Args:  exactArgs("ID"),
		RunE: a.onContainer(func(cmd *cobra.Command, r *runtime.Runtime, id string, _ []string) error {
			st, err := r.State(cmd.Context(), id)
			if err != nil {
				return err
			}
			// Indented with two spaces, as runc prints it.
			data, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", data)
			return err
		}),
	}
}

// checkFormat accepts "table" and "json".
func checkFormat(format string) error {
	if format != "table" && format != "json" {
		return fmt.Errorf("--format %q: want table or json: %w", format, errdefs.ErrInvalidArgument)
	}
	return nil
}

func newListCommand(a *app) *cobra.Command {
	var (
		format string
		quiet  bool
	)
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List the containers under --root",
		Args:  exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			r, err := a.runtime()
			if err != nil {
				return err
			}
			states, err := r.List(cmd.Context())
			if err != nil {
				return err
			}
			return writeList(cmd.OutOrStdout(), states, format, quiet)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the IDs")
	return cmd
}

// writeList prints states as runc's list does.
func writeList(w io.Writer, states []runtime.State, format string, quiet bool) error {
	switch {
	case quiet:
		for _, s := range states {
			if _, err := fmt.Fprintln(w, s.ID); err != nil {
				return err
			}
		}
		return nil
	case format == "json":
		if states == nil {
			states = []runtime.State{}
		}
		return json.NewEncoder(w).Encode(states)
	}
	tw := tabwriter.NewWriter(w, 12, 1, 3, ' ', 0)
	fmt.Fprint(tw, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
	for _, s := range states {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n",
			s.ID, s.Pid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
	}
	return tw.Flush()
}

func newPsCommand(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "ps [flags] ID [PS OPTIONS...]",
		Short: "List the processes of a container",
		Long: "List the processes of a container: with --format json the host PIDs as a\n" +
			"JSON array; as a table, the lines of ps(1) (default options -ef) for them.",
		Args: minArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			if err := checkFormat(format); err != nil {
				return err
			}
			r, err := a.containerRuntime(id)
			if err != nil {
				return err
			}
			pids, err := r.Pids(cmd.Context(), id)
			if err != nil {
				return containerError(id, err)
			}
			if format == "json" {
				if pids == nil {
					pids = []int{}
				}
				return json.NewEncoder(cmd.OutOrStdout()).Encode(pids)
			}
			psArgs := args[1:]
			if len(psArgs) > 0 && psArgs[0] == "--" {
				psArgs = psArgs[1:]
			}
			return psTable(cmd, pids, psArgs)
		},
	}
	// Options after ID are ps(1)'s.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

// psTable runs ps(1) and keeps its header and the lines of pids. Without
// ps(1) it prints PID and command name from /proc.
func psTable(cmd *cobra.Command, pids []int, psArgs []string) error {
	w := cmd.OutOrStdout()
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	out, err := exec.CommandContext(cmd.Context(), "ps", psArgs...).Output()
	if errors.Is(err, exec.ErrNotFound) {
		return procTable(w, pids)
	}
	if err != nil {
		return fmt.Errorf("running ps %s: %w", strings.Join(psArgs, " "), err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	col := slices.Index(strings.Fields(lines[0]), "PID")
	if col < 0 {
		return fmt.Errorf("ps %s printed no PID column: %w", strings.Join(psArgs, " "), errdefs.ErrInvalidArgument)
	}
	fmt.Fprintln(w, lines[0])
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) <= col {
			continue
		}
		if pid, err := strconv.Atoi(fields[col]); err == nil && slices.Contains(pids, pid) {
			fmt.Fprintln(w, line)
		}
	}
	return nil
}

func procTable(w io.Writer, pids []int) error {
	tw := tabwriter.NewWriter(w, 8, 1, 2, ' ', 0)
	fmt.Fprint(tw, "PID\tCMD\n")
	for _, pid := range pids {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil {
			continue // exited meanwhile
		}
		fmt.Fprintf(tw, "%d\t%s\n", pid, strings.TrimSpace(string(comm)))
	}
	return tw.Flush()
}
