package main

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/container-runtime/container-runtime/client"
)

// stdio are the CLI's standard streams (files in main, buffers in tests).
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// cli is the state shared by the commands of one invocation.
type cli struct {
	stdio
	getenv func(string) string

	// Global flags.
	host                   string
	tlsCA, tlsCert, tlsKey string

	c *client.Client

	// tree is the part of the command tree to build (lazyverbs.go).
	tree treePlan
}

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, io stdio, getenv func(string) string) int {
	c := &cli{stdio: io, getenv: getenv}
	defer func() {
		if c.c != nil {
			c.c.Close()
		}
	}()
	c.tree = c.planTree(args)
	root := c.rootCommand()
	root.SetArgs(args)
	root.SetIn(io.in)
	root.SetOut(io.out)
	root.SetErr(io.err)
	err := root.ExecuteContext(ctx)
	if code, ok := c.usage(root, err); ok {
		return code
	}
	return c.exit(err)
}

// client returns the daemon's client, configured from the global flags
// and the environment on first use.
func (c *cli) client() (*client.Client, error) {
	if c.c != nil {
		return c.c, nil
	}
	host := c.host
	if host == "" {
		host = c.getenv(client.EnvHost)
	}
	opts := client.Options{Host: host}
	ca, cert, key := c.tlsCA, c.tlsCert, c.tlsKey
	if dir := c.getenv(client.EnvCertPath); dir != "" {
		ca = orDefault(ca, filepath.Join(dir, "ca.pem"))
		cert = orDefault(cert, filepath.Join(dir, "cert.pem"))
		key = orDefault(key, filepath.Join(dir, "key.pem"))
	}
	if ca != "" || cert != "" || key != "" {
		tc, err := client.TLSConfig(ca, cert, key)
		if err != nil {
			return nil, err
		}
		opts.TLS = tc
	}
	cl, err := client.New(opts)
	if err != nil {
		return nil, err
	}
	c.c = cl
	return cl, nil
}

func orDefault(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// terminal returns the file descriptor of s when it is a terminal.
func terminal(s any) (int, bool) {
	f, ok := s.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return -1, false
	}
	return int(f.Fd()), true
}

// rootCommand builds the command tree.
func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "container-runtime",
		Short: "Build images and run containers with container-runtimed",
		Long: `container-runtime is the client of the container-runtimed daemon.

The seed's commands:
  container-runtime build NAME DOCKERFILE_PATH
  container-runtime image list
  container-runtime start NAME IMAGE NETWORK COMMAND [ARGS...]
  container-runtime list
  container-runtime stop NAME

and Docker's: run, create, start -a, ps, logs, exec, attach, stop, kill,
restart, rm, rename, port, top, inspect, wait, events, trace, cp, diff,
commit, export, container ..., images, rmi, tag, history, import, image ...,
build -t, network ..., volume ..., system ..., info, version.

The daemon's address is unix:///run/container-runtime/container-runtimed.sock,
or $CONTAINER_RUNTIME_HOST (unix:///path or tcp://host:port with TLS client
certificates from --tlscacert/--tlscert/--tlskey or $CONTAINER_RUNTIME_CERT_PATH).

Exit codes: 125 when the engine fails, 126 when the command cannot be
invoked, 127 when it is not found, else the container's exit code. As
Docker's: 1 for wrong arguments or an unknown command, 125 for an unknown
flag, each with the command's usage line.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		Version:           versionString(),
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	root.SetVersionTemplate("container-runtime version {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err: err, cmd: cmd, code: exitEngine}
	})
	pf := root.PersistentFlags()
	pf.StringVarP(&c.host, "host", "H", "", "daemon address (unix:///path or tcp://host:port; default $"+client.EnvHost+" or "+client.DefaultHost+")")
	pf.StringVar(&c.tlsCA, "tlscacert", "", "CA certificate that signed the daemon's TLS certificate")
	pf.StringVar(&c.tlsCert, "tlscert", "", "TLS client certificate")
	pf.StringVar(&c.tlsKey, "tlskey", "", "TLS client key")

	root.AddGroup(&cobra.Group{ID: "seed", Title: "The seed's commands:"},
		&cobra.Group{ID: "containers", Title: "Containers:"},
		&cobra.Group{ID: "images", Title: "Images:"},
		&cobra.Group{ID: "networks", Title: "Networks:"},
		&cobra.Group{ID: "volumes", Title: "Volumes:"},
		&cobra.Group{ID: "system", Title: "System:"})
	if c.tree.partial() {
		// A command line that needs one verb's command, or none (lazyverbs.go).
		c.tree.add(root)
		finishTree(root)
		return root
	}
	add := func(group string, cmds ...*cobra.Command) {
		for _, cmd := range cmds {
			cmd.GroupID = group
			root.AddCommand(cmd)
		}
	}
	add("seed", c.buildCommand(), c.startCommand(), c.listCommand())
	add("containers", c.runCommand(), c.createCommand(), c.psCommand(), c.logsCommand(), c.execCommand(),
		c.attachCommand(), c.stopCommand(), c.killCommand(), c.restartCommand(), c.rmCommand(),
		c.pauseCommand(), c.unpauseCommand(), c.waitCommand(), c.inspectCommand(), c.eventsCommand(),
		c.traceCommand(), c.containerCommand(), c.renameCommand(), c.portCommand(), c.topCommand())
	add("containers", c.statsCommand(), c.updateCommand())
	add("images", c.imageCommand(), c.imagesCommand(), c.rmiCommand())
	add("containers", c.fileVerbs()...)
	add("images", c.importCommand())
	add("images", c.imageVerbs()...)
	add("images", c.distributionCommands()...)
	add("images", c.builderCommand())
	add("networks", c.networkCommand())
	add("volumes", c.volumeCommand())
	add("system", c.systemCommand(), c.infoCommand(), c.versionCommand())
	root.AddCommand(c.genManCommand())
	finishTree(root)
	return root
}

// finishTree sets what every command of the tree shares.
func finishTree(root *cobra.Command) {
	root.SetHelpCommandGroupID("system")
	root.SetCompletionCommandGroupID("system")
	// Our Use lines show the flags already.
	var noFlagsInUse func(*cobra.Command)
	noFlagsInUse = func(cmd *cobra.Command) {
		cmd.DisableFlagsInUseLine = true
		for _, sub := range cmd.Commands() {
			noFlagsInUse(sub)
		}
	}
	noFlagsInUse(root)
	usageErrorsOnArgs(root)
}
