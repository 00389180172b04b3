package main

import (
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/runtime"
)

// createFlags are shared by create and run.
type createFlags struct {
	bundle        string
	pidFile       string
	consoleSocket string
	noPivot       bool
	noNewKeyring  bool
	preserveFDs   int
}

func (o *createFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&o.bundle, "bundle", "b", "", "path to the bundle (default: the current directory)")
	f.StringVar(&o.pidFile, "pid-file", "", "write the init process's PID to this file")
	f.StringVar(&o.consoleSocket, "console-socket", "",
		"UNIX socket that receives the pty master when process.terminal is true")
	f.BoolVar(&o.noPivot, "no-pivot", false, "accepted for compatibility; pivot_root is always used")
	f.BoolVar(&o.noNewKeyring, "no-new-keyring", false, "accepted for compatibility")
	f.IntVar(&o.preserveFDs, "preserve-fds", 0, "pass N extra file descriptors (3 .. 3+N-1) to the process")
}

// options checks the flags against spec and returns the runtime's
// options. detached is true when this command returns while the container
// runs (create, run -d): a terminal then needs a console socket to go to.
func (o *createFlags) options(spec *specs.Spec, bundle string, detached bool) (runtime.CreateOptions, error) {
	if o.preserveFDs < 0 {
		return runtime.CreateOptions{}, fmt.Errorf("--preserve-fds %d is negative: %w", o.preserveFDs, errdefs.ErrInvalidArgument)
	}
	if err := checkConsole(terminal(spec), o.consoleSocket, detached); err != nil {
		return runtime.CreateOptions{}, err
	}
	opts := runtime.CreateOptions{
		Bundle:     bundle,
		Spec:       spec,
		Stdio:      runtime.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr},
		ExtraFiles: preservedFiles(o.preserveFDs),
	}
	var err error
	if opts.PidFile, err = absPath("--pid-file", o.pidFile); err != nil {
		return opts, err
	}
	if opts.ConsoleSocket, err = absPath("--console-socket", o.consoleSocket); err != nil {
		return opts, err
	}
	return opts, nil
}

// checkConsole applies runc's rules: a detached terminal needs a socket
// to send the pty to, and a socket without a terminal is a mistake.
func checkConsole(terminal bool, socket string, detached bool) error {
	if terminal && detached && socket == "" {
		return fmt.Errorf("process.terminal is true but no --console-socket was given to receive the pty: %w",
			errdefs.ErrInvalidArgument)
	}
	if !terminal && socket != "" {
		return fmt.Errorf("--console-socket was given but process.terminal is false: %w", errdefs.ErrInvalidArgument)
	}
	return nil
}

func absPath(flag, p string) (string, error) {
	if p == "" {
		return "", nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", flag, p, err)
	}
	return abs, nil
}

// loadSpec checks id, reads the bundle's config.json and applies our
// leniencies, and returns the spec and the bundle's absolute path.
func (a *app) loadSpec(id, bundle string) (*specs.Spec, string, error) {
	if err := runtime.ValidateID(id); err != nil {
		return nil, "", err
	}
	if bundle == "" {
		bundle = "."
	}
	bundle, err := filepath.Abs(bundle)
	if err != nil {
		return nil, "", fmt.Errorf("bundle %q: %w", bundle, err)
	}
	spec, err := runtime.LoadBundle(bundle)
	if err != nil {
		return nil, "", err
	}
	dropUnraisableAmbient(spec.Process, a.logger())
	if a.systemdCgroup && spec.Linux != nil {
		p, err := systemdCgroupsPath(spec.Linux.CgroupsPath)
		if err != nil {
			return nil, "", err
		}
		spec.Linux.CgroupsPath = p
	}
	// runtime.Create validates the spec, before it makes anything under
	// --root: once, and with the seccomp filter checked by compiling it
	// through the runtime's cache rather than a second libseccomp build.
	return spec, bundle, nil
}

func newCreateCommand(a *app) *cobra.Command {
	var o createFlags
	cmd := &cobra.Command{
		Use:   "create [flags] ID",
		Short: "Create a container; its process waits for start",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			r, opts, err := o.prepare(a, cmd, id, true)
			if err != nil {
				return err
			}
			// The init process outlives us; our caller (containerd's
			// shim, a subreaper) inherits it.
			_, err = r.Create(cmd.Context(), id, opts)
			return err
		},
	}
	o.register(cmd)
	return cmd
}

// prepare is what create and run do before the runtime creates: load the
// bundle of container id, turn the flags into options (detached: the
// init outlives us) and open the runtime.
func (o *createFlags) prepare(a *app, cmd *cobra.Command, id string, detached bool) (*runtime.Runtime, runtime.CreateOptions, error) {
	spec, bundle, err := a.loadSpec(id, o.bundle)
	if err != nil {
		return nil, runtime.CreateOptions{}, err
	}
	opts, err := o.options(spec, bundle, detached)
	if err != nil {
		return nil, runtime.CreateOptions{}, err
	}
	o.logIgnored(cmd)
	r, err := a.runtime()
	return r, opts, err
}

// logIgnored notes the flags accepted only for compatibility.
func (o *createFlags) logIgnored(cmd *cobra.Command) {
	l := logctx.From(cmd.Context())
	if o.noPivot {
		l.Debug("--no-pivot ignored: pivot_root is always used")
	}
	if o.noNewKeyring {
		l.Debug("--no-new-keyring ignored")
	}
}

func newStartCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "start ID",
		Short: "Start the process of a created container",
		Args:  exactArgs("ID"),
		RunE: a.onContainer(func(cmd *cobra.Command, r *runtime.Runtime, id string, _ []string) error {
			return r.Start(cmd.Context(), id)
		}),
	}
}

// preservedFiles returns our descriptors 3 .. 3+n-1, which runc's
// --preserve-fds hands on to the container process.
func preservedFiles(n int) []*os.File {
	files := make([]*os.File, 0, n)
	for i := 0; i < n; i++ {
		files = append(files, os.NewFile(uintptr(3+i), fmt.Sprintf("preserved-fd-%d", 3+i)))
	}
	return files
}

// terminal reports whether spec asks for a terminal (a spec without a
// process is refused by runtime.Create, which validates it).
func terminal(spec *specs.Spec) bool {
	return spec.Process != nil && spec.Process.Terminal
}
