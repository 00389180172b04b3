package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/runtime"
)

// execFlags are exec's flags, runc's spellings.
type execFlags struct {
	processFile    string
	detach         bool
	pidFile        string
	tty            bool
	consoleSocket  string
	cwd            string
	env            []string
	user           string
	additionalGIDs []int64
	caps           []string
	noNewPrivs     bool
	apparmor       string
	processLabel   string
	preserveFDs    int
}

func newExecCommand(a *app) *cobra.Command {
	var o execFlags
	cmd := &cobra.Command{
		Use:   "exec [flags] ID [COMMAND [ARGS...]]",
		Short: "Run a process in a running container",
		Long: "Run a process in a running container. The process is COMMAND ARGS with the\n" +
			"container's config.json process settings changed by the flags, or the whole\n" +
			"process JSON read from --process. Without --detach, exec waits for the process\n" +
			"and exits with its exit code.",
		Args: minArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, a, args[0], args[1:])
		},
	}
	f := cmd.Flags()
	// Everything after ID belongs to the command, "-l" included.
	f.SetInterspersed(false)
	f.StringVarP(&o.processFile, "process", "p", "", "path to a process.json (an OCI process object)")
	f.BoolVarP(&o.detach, "detach", "d", false, "return once the process has started")
	f.StringVar(&o.pidFile, "pid-file", "", "write the process's PID to this file")
	f.BoolVarP(&o.tty, "tty", "t", false, "give the process a pseudo-terminal")
	f.StringVar(&o.consoleSocket, "console-socket", "", "UNIX socket that receives the pty master")
	f.StringVar(&o.cwd, "cwd", "", "working directory inside the container")
	f.StringArrayVarP(&o.env, "env", "e", nil, "add an environment variable KEY=VALUE (repeatable)")
	f.StringVarP(&o.user, "user", "u", "", "UID[:GID] to run as")
	f.Int64SliceVarP(&o.additionalGIDs, "additional-gids", "g", nil, "additional group IDs")
	f.StringArrayVarP(&o.caps, "cap", "c", nil, "add a capability, e.g. CAP_NET_ADMIN (repeatable)")
	f.BoolVar(&o.noNewPrivs, "no-new-privs", false, "set no_new_privs for the process")
	f.StringVar(&o.apparmor, "apparmor", "", "AppArmor profile (not supported)")
	f.StringVar(&o.processLabel, "process-label", "", "SELinux label (not supported)")
	f.IntVar(&o.preserveFDs, "preserve-fds", 0, "pass N extra file descriptors (3 .. 3+N-1) to the process")
	return cmd
}

func (o *execFlags) run(cmd *cobra.Command, a *app, id string, args []string) error {
	if o.preserveFDs < 0 {
		return fmt.Errorf("--preserve-fds %d is negative: %w", o.preserveFDs, errdefs.ErrInvalidArgument)
	}
	r, err := a.containerRuntime(id)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	p, err := o.process(ctx, cmd, r, id, args)
	if err != nil {
		return err
	}
	dropUnraisableAmbient(p, a.logger())
	if err := checkConsole(p.Terminal, o.consoleSocket, o.detach); err != nil {
		return err
	}
	opts := runtime.ExecOptions{
		Stdio:      runtime.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr},
		ExtraFiles: preservedFiles(o.preserveFDs),
	}
	if opts.PidFile, err = absPath("--pid-file", o.pidFile); err != nil {
		return err
	}
	if opts.ConsoleSocket, err = absPath("--console-socket", o.consoleSocket); err != nil {
		return err
	}
	if o.detach {
		_, err := r.Exec(ctx, id, p, opts)
		return containerError(id, err)
	}
	fg, err := newForeground(p.Terminal && opts.ConsoleSocket == "")
	if err != nil {
		return err
	}
	defer fg.close()
	if s := fg.consoleSocket(); s != "" {
		opts.ConsoleSocket = s
	}
	proc, err := r.Exec(ctx, id, p, opts)
	if err != nil {
		return containerError(id, err)
	}
	st, err := fg.wait(proc)
	if err != nil {
		return err
	}
	return statusError(st)
}

// process returns the process to run: --process as given, or the
// container's own process with args and the flags applied (runc's rules:
// no terminal unless --tty, env appended, capabilities added).
func (o *execFlags) process(ctx context.Context, cmd *cobra.Command, r *runtime.Runtime, id string, args []string) (*specs.Process, error) {
	if o.processFile != "" {
		return readProcess(o.processFile)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("exec needs a COMMAND or --process: %w", errdefs.ErrInvalidArgument)
	}
	st, err := r.State(ctx, id)
	if err != nil {
		return nil, containerError(id, err)
	}
	spec, err := runtime.LoadBundle(st.Bundle)
	if err != nil {
		return nil, fmt.Errorf("reading the process defaults of %q: %w", id, err)
	}
	p := &specs.Process{Cwd: "/"}
	if spec.Process != nil {
		p = spec.Process
	}
	if err := o.apply(p, args, cmd.Flags().Changed("no-new-privs")); err != nil {
		return nil, err
	}
	if err := runtime.ValidateProcess(p); err != nil {
		return nil, err
	}
	return p, nil
}

// apply changes p as exec's flags say; noNewPrivsSet tells whether
// --no-new-privs was given (else the container's setting stays).
func (o *execFlags) apply(p *specs.Process, args []string, noNewPrivsSet bool) error {
	p.Args = args
	p.Terminal = o.tty
	if o.cwd != "" {
		p.Cwd = o.cwd
	}
	p.Env = append(p.Env, o.env...)
	if noNewPrivsSet {
		p.NoNewPrivileges = o.noNewPrivs
	}
	p.ApparmorProfile = o.apparmor
	p.SelinuxLabel = o.processLabel
	if len(o.caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		c := p.Capabilities
		// Not inheritable: runc stopped adding --cap there
		// (CVE-2022-29162).
		for _, name := range o.caps {
			c.Bounding = appendNew(c.Bounding, name)
			c.Effective = appendNew(c.Effective, name)
			c.Permitted = appendNew(c.Permitted, name)
		}
	}
	if o.user != "" {
		uid, gid, err := parseUser(o.user)
		if err != nil {
			return err
		}
		p.User.UID = uid
		if gid != nil {
			p.User.GID = *gid
		}
	}
	for _, g := range o.additionalGIDs {
		if g < 0 || g > 1<<32-1 {
			return fmt.Errorf("--additional-gids %d is not a group ID: %w", g, errdefs.ErrInvalidArgument)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
	}
	return nil
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// parseUser reads "UID" or "UID:GID"; names are not resolved, as in runc.
func parseUser(s string) (uid uint32, gid *uint32, err error) {
	u, g, hasGID := strings.Cut(s, ":")
	n, err := strconv.ParseUint(u, 10, 32)
	if err != nil {
		return 0, nil, fmt.Errorf("--user %q: UID must be a number: %w", s, errdefs.ErrInvalidArgument)
	}
	uid = uint32(n)
	if hasGID {
		m, err := strconv.ParseUint(g, 10, 32)
		if err != nil {
			return 0, nil, fmt.Errorf("--user %q: GID must be a number: %w", s, errdefs.ErrInvalidArgument)
		}
		v := uint32(m)
		gid = &v
	}
	return uid, gid, nil
}

// readProcess reads and validates an OCI process object.
func readProcess(path string) (*specs.Process, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--process: %w: %w", err, errdefs.ErrInvalidArgument)
	}
	var p specs.Process
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("--process %s: %w: %w", path, err, errdefs.ErrInvalidArgument)
	}
	if err := runtime.ValidateProcess(&p); err != nil {
		return nil, fmt.Errorf("--process %s: %w", path, err)
	}
	return &p, nil
}
