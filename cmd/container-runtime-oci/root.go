package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/container-runtime/container-runtime/internal/logctx"
	"github.com/container-runtime/container-runtime/internal/version"
	"github.com/container-runtime/container-runtime/runtime"
)

// app holds the global flags and what main builds from them. It lives for
// one command line.
type app struct {
	root          string
	logPath       string
	logFormat     string
	debug         bool
	systemdCgroup bool
	rootless      string
	criu          string

	stdout, stderr io.Writer
	logFile        *os.File
	log            *slog.Logger
}

// newRootCommand builds the command tree. Global flags keep runc's
// spellings, since go-runc passes them verbatim.
func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           progName,
		Short:         "Run OCI containers; a drop-in replacement for runc",
		Version:       version.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.check(); err != nil {
				return err
			}
			if a.systemdCgroup {
				return systemdCgroupError(systemdRunning())
			}
			l := a.logger()
			cmd.SetContext(logctx.With(cmd.Context(), l))
			return nil
		},
	}
	// go-runc's Version() wants "<name> version X", "commit: Y" and
	// "spec: Z" on exactly three lines; dockerd's `info` splits the first
	// on "version". The text holds no template actions.
	root.SetVersionTemplate(version.Text(progName))
	root.CompletionOptions.DisableDefaultCmd = true

	f := root.PersistentFlags()
	f.StringVar(&a.root, "root", "/run/container-runtime-oci", "directory for the containers' state (tmpfs)")
	f.StringVar(&a.logPath, "log", "", "write the log to this file instead of stderr")
	f.StringVar(&a.logFormat, "log-format", "text", "log format: text or json")
	f.BoolVar(&a.debug, "debug", false, "log debug messages")
	f.BoolVar(&a.systemdCgroup, "systemd-cgroup", false,
		"use systemd's cgroup driver (refused: this runtime makes cgroups with cgroupfs only)")
	f.StringVar(&a.rootless, "rootless", "auto", "accepted for compatibility: auto, true or false")
	f.StringVar(&a.criu, "criu", "criu", "accepted for compatibility; checkpoint/restore are not supported")

	root.AddCommand(
		newCreateCommand(a), newStartCommand(a), newRunCommand(a),
		newStateCommand(a), newListCommand(a), newPsCommand(a),
		newKillCommand(a), newDeleteCommand(a), newExecCommand(a),
		newSpecCommand(), newFeaturesCommand(),
		newPauseCommand(a), newResumeCommand(a), newUpdateCommand(a),
		newUnsupportedCommand("events", "Display container events and statistics"),
		newCRIUCommand("checkpoint", "Checkpoint a running container"),
		newCRIUCommand("restore", "Restore a container from a checkpoint"),
	)
	return root
}

// check validates the global flags.
func (a *app) check() error {
	switch a.logFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format %q: want text or json: %w", a.logFormat, errdefs.ErrInvalidArgument)
	}
	switch a.rootless {
	case "auto", "true", "false":
	default:
		return fmt.Errorf("--rootless %q: want auto, true or false: %w", a.rootless, errdefs.ErrInvalidArgument)
	}
	abs, err := filepath.Abs(a.root)
	if err != nil {
		return fmt.Errorf("--root %q: %w", a.root, err)
	}
	a.root = abs
	return nil
}

// logger returns the logger chosen by --log, --log-format and --debug,
// making it on first use. Level names are lower case, as logrus writes
// them in runc's log, because containerd looks for "level":"error".
func (a *app) logger() *slog.Logger {
	if a.log != nil {
		return a.log
	}
	var w io.Writer = a.stderr
	if a.logPath != "" {
		f, err := os.OpenFile(a.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(a.stderr, "%s: opening --log %s: %v; logging to stderr\n", progName, a.logPath, err)
		} else {
			a.logFile, w = f, f
		}
	}
	level := slog.LevelInfo
	if a.debug {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: logrusLevels}
	if a.logFormat == "json" {
		a.log = slog.New(slog.NewJSONHandler(w, opts))
	} else {
		a.log = slog.New(slog.NewTextHandler(w, opts))
	}
	return a.log
}

// logrusLevels writes levels as logrus does: "debug", "info", "warning",
// "error".
func logrusLevels(groups []string, attr slog.Attr) slog.Attr {
	if len(groups) > 0 || attr.Key != slog.LevelKey {
		return attr
	}
	level, _ := attr.Value.Any().(slog.Level)
	name := strings.ToLower(level.String())
	if level == slog.LevelWarn {
		name = "warning"
	}
	return slog.String(slog.LevelKey, name)
}

func (a *app) close() {
	if a.logFile != nil {
		a.logFile.Close()
	}
}

// runtime opens the state root. Call it only after the arguments have
// been validated: it creates the root directory.
func (a *app) runtime() (*runtime.Runtime, error) {
	rt, err := runtime.New(a.root)
	if err != nil {
		return nil, err
	}
	a.useStageBinary(rt)
	return rt, nil
}

// useStageBinary starts the container processes from container-runtime-init
// when it is installed next to our binary and trusted: it holds the same
// stages as we do, in a smaller, static binary that starts faster. Without
// it (or when it is refused), our own binary, as before; the log says why.
func (a *app) useStageBinary(rt *runtime.Runtime) {
	if _, err := rt.UseInstalledStageBinary(); err != nil {
		a.logger().Warn("container processes start from our own binary", "error", err)
	}
}

// containerRuntime checks the container id a command names, then opens
// the runtime: the first steps of every command on an existing container.
func (a *app) containerRuntime(id string) (*runtime.Runtime, error) {
	if err := runtime.ValidateID(id); err != nil {
		return nil, err
	}
	return a.runtime()
}

// onContainer is the RunE of a command on the existing container args[0]:
// it checks the id, opens the runtime and runs do, whose error then names
// the container as runc's do (containerError).
func (a *app) onContainer(do func(cmd *cobra.Command, r *runtime.Runtime, id string, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		id := args[0]
		r, err := a.containerRuntime(id)
		if err != nil {
			return err
		}
		return containerError(id, do(cmd, r, id, args[1:]))
	}
}

// exactArgs requires the named positional arguments.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == len(names) {
			return nil
		}
		return fmt.Errorf("%q needs %d argument(s) (%s), got %d: %w",
			cmd.Name(), len(names), strings.Join(names, " "), len(args), errdefs.ErrInvalidArgument)
	}
}

// minArgs requires at least the named positional arguments.
func minArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= len(names) {
			return nil
		}
		return fmt.Errorf("%q needs at least %d argument(s) (%s), got %d: %w",
			cmd.Name(), len(names), strings.Join(names, " "), len(args), errdefs.ErrInvalidArgument)
	}
}

// containerError adds the words containerd's runc shim looks for in
// runc's messages: "does not exist" (a missing container is not an error
// for delete) and "container not running" (kill of a stopped one).
func containerError(id string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errdefs.ErrNotFound) && !strings.Contains(err.Error(), "does not exist"):
		return fmt.Errorf("container %q does not exist: %w", id, err)
	default:
		return err
	}
}
