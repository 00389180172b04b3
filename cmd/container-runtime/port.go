package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// portCommand is Docker's port: the published ports of the container's
// current run, "80/tcp -> 0.0.0.0:8080", or the host addresses of one
// private port.
func (c *cli) portCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short:             "List a container's published ports",
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: c.completeContainers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			ci, err := cl.ContainerInspect(cmd.Context(), args[0])
			if err != nil {
				return refused(err)
			}
			ports := sortedPorts(ci.Ports)
			if len(args) == 1 {
				for _, p := range ports {
					fmt.Fprintf(c.out, "%d/%s -> %s\n", p.ContainerPort, p.Proto, hostAddr(p))
				}
				return nil
			}
			port, proto, err := parsePrivatePort(args[1])
			if err != nil {
				return &statusError{code: exitDaemonError, err: err}
			}
			found := false
			for _, p := range ports {
				if p.ContainerPort == port && p.Proto == proto {
					fmt.Fprintln(c.out, hostAddr(p))
					found = true
				}
			}
			if !found {
				return &statusError{code: exitDaemonError, err: fmt.Errorf("no public port '%d/%s' published for %s", port, proto, args[0])}
			}
			return nil
		},
	}
}

// sortedPorts fills the defaults (all addresses, tcp) and sorts by
// private port, protocol and host address.
func sortedPorts(ports []api.PortBinding) []api.PortBinding {
	ps := slices.Clone(ports)
	for i := range ps {
		ps[i].HostIP = cmp.Or(ps[i].HostIP, "0.0.0.0")
		ps[i].Proto = cmp.Or(ps[i].Proto, "tcp")
	}
	slices.SortFunc(ps, func(a, b api.PortBinding) int {
		return cmp.Or(cmp.Compare(a.ContainerPort, b.ContainerPort), strings.Compare(a.Proto, b.Proto),
			strings.Compare(a.HostIP, b.HostIP), cmp.Compare(a.HostPort, b.HostPort))
	})
	return ps
}

// hostAddr is "0.0.0.0:8080", or "[::]:8080" for an IPv6 address.
func hostAddr(p api.PortBinding) string {
	if strings.Contains(p.HostIP, ":") {
		return fmt.Sprintf("[%s]:%d", p.HostIP, p.HostPort)
	}
	return fmt.Sprintf("%s:%d", p.HostIP, p.HostPort)
}

// parsePrivatePort reads PORT or PORT/PROTO (tcp when omitted).
func parsePrivatePort(s string) (uint16, string, error) {
	port, proto, ok := strings.Cut(s, "/")
	if !ok {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 || proto != "tcp" && proto != "udp" && proto != "sctp" {
		return 0, "", fmt.Errorf("invalid port %q: want PORT or PORT/PROTO (tcp, udp or sctp)", s)
	}
	return uint16(n), proto, nil
}
