package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// loginCommand is Docker's login. The daemon checks the credentials with
// the registry and keeps them (in its auth file, Docker's config.json
// format): pulls and pushes happen in the daemon, which is where they are
// needed, including those a build's FROM makes.
func (c *cli) loginCommand() *cobra.Command {
	var (
		req           api.LoginRequest
		passwordStdin bool
	)
	cmd := &cobra.Command{
		Use:   "login [-u USER] [-p PASSWORD | --password-stdin] [REGISTRY]",
		Short: "Log in to a registry (default Docker Hub)",
		Long: `Log in to a registry: the daemon checks the user name and password with the
registry and, if it accepts them, stores them for its pulls and pushes (in
INSTALL_PATH/auth.json, Docker's config.json format; the daemon also reads
root's ~/.docker/config.json). Anyone who may use the daemon then pulls and
pushes with them, as with Docker's daemon-wide credentials helpers.

Prefer --password-stdin to -p, which other users can see in the process
list. On a terminal, what is missing is asked for.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				req.Registry = args[0]
			}
			if passwordStdin {
				if req.Password != "" {
					return errors.New("--password and --password-stdin are mutually exclusive")
				}
				if req.Username == "" {
					return errors.New("--password-stdin needs --username")
				}
				b, err := io.ReadAll(io.LimitReader(c.in, 64<<10))
				if err != nil {
					return fmt.Errorf("reading the password from stdin: %w", err)
				}
				req.Password = strings.TrimRight(string(b), "\r\n")
			} else if req.Password != "" {
				fmt.Fprintln(c.err, "WARNING! Using --password on the command line is insecure. Use --password-stdin.")
			}
			if err := c.askCredentials(&req); err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			res, err := cl.Login(cmd.Context(), req)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.out, res.Status)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&req.Username, "username", "u", "", "user name")
	fs.StringVarP(&req.Password, "password", "p", "", "password or token (visible to other users: prefer --password-stdin)")
	fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password or token from stdin")
	fs.BoolVar(&req.Insecure, "insecure", false, "allow plain HTTP to the registry")
	return cmd
}

// askCredentials asks on the terminal for what req lacks; without a
// terminal, what lacks is an error.
func (c *cli) askCredentials(req *api.LoginRequest) error {
	if req.Username != "" && req.Password != "" {
		return nil
	}
	in, ok := c.in.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return errors.New("a user name and a password are needed (-u USER --password-stdin)")
	}
	if req.Username == "" {
		fmt.Fprint(c.err, "Username: ")
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("reading the user name: %w", err)
		}
		req.Username = strings.TrimSpace(line)
	}
	if req.Password == "" {
		fmt.Fprint(c.err, "Password: ")
		b, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(c.err)
		if err != nil {
			return fmt.Errorf("reading the password: %w", err)
		}
		req.Password = string(b)
	}
	if req.Username == "" || req.Password == "" {
		return errors.New("a user name and a password are needed")
	}
	return nil
}

// logoutCommand is Docker's logout.
func (c *cli) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout [REGISTRY]",
		Short: "Have the daemon forget a registry's credentials (default Docker Hub)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			registry := ""
			if len(args) == 1 {
				registry = args[0]
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			shown := registry
			if shown == "" {
				shown = "docker.io"
			}
			err = cl.Logout(cmd.Context(), registry)
			switch {
			case errors.Is(err, errdefs.ErrNotFound):
				// As Docker: not an error.
				fmt.Fprintf(c.out, "Not logged in to %s\n", shown)
				return nil
			case err != nil:
				return err
			}
			fmt.Fprintf(c.out, "Removing login credentials for %s\n", shown)
			return nil
		},
	}
}
