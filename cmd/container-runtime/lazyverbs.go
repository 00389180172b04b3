package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// The command tree is built for each invocation, and building all of it
// (some 200 commands and well over a thousand flags, `container` repeating
// the top-level verbs) is most of the client's own work on a short
// command: about as much as the Go runtime's start. A command line whose
// first word is a top-level verb only needs that verb's command, so
// rootCommand then builds the root with that one child; anything else
// (help, completion, no verb, an unknown verb or global flag) gets the
// whole tree, as before. TestLazyVerbsMatchTheTree keeps verbCommand in
// step with rootCommand.

// treePlan is the part of the command tree one command line needs.
type treePlan struct {
	// bare: the root alone (a bare --version).
	bare bool
	// build makes the command line's verb command, in group; nil (and
	// bare false): the whole tree.
	build func() *cobra.Command
	group string
}

// planTree returns the part of the tree args need.
func (c *cli) planTree(args []string) treePlan {
	verb, versionOnly := topVerb(args)
	if versionOnly {
		return treePlan{bare: true}
	}
	group, build := c.verbCommand(verb)
	return treePlan{build: build, group: group}
}

// partial reports whether the plan is less than the whole tree.
func (p treePlan) partial() bool {
	return p.bare || p.build != nil
}

// add adds the planned verb's command to root.
func (p treePlan) add(root *cobra.Command) {
	if p.build == nil {
		return
	}
	cmd := p.build()
	cmd.GroupID = p.group
	root.AddCommand(cmd)
}

// topVerb returns the first word of args that is not a global flag or a
// global flag's value: the verb. versionOnly reports a command line of
// global flags with --version (or -v) and no verb. Any other flag before
// the verb (--help, one the root does not have, "--") returns no verb, so
// that the whole tree parses the command line and reports what is wrong.
func topVerb(args []string) (verb string, versionOnly bool) {
	version := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--version" || a == "-v":
			version = true
		case a == "-H" || a == "--host" || a == "--tlscacert" || a == "--tlscert" || a == "--tlskey":
			i++ // the flag's value
		case strings.HasPrefix(a, "-H") && !strings.HasPrefix(a, "--"),
			strings.HasPrefix(a, "--host="), strings.HasPrefix(a, "--tlscacert="),
			strings.HasPrefix(a, "--tlscert="), strings.HasPrefix(a, "--tlskey="):
			// A value attached to its flag.
		case strings.HasPrefix(a, "-"):
			return "", false
		default:
			if version {
				return "", false
			}
			return a, false
		}
	}
	return "", version
}

// verbCommand returns the constructor of the top-level command named verb
// and its help group, or nil when verb is not one (the whole tree is
// built then).
func (c *cli) verbCommand(verb string) (group string, build func() *cobra.Command) {
	switch verb {
	case "build":
		return "seed", c.buildCommand
	case "start":
		return "seed", c.startCommand
	case "list":
		return "seed", c.listCommand
	case "run":
		return "containers", c.runCommand
	case "create":
		return "containers", c.createCommand
	case "ps":
		return "containers", c.psCommand
	case "logs":
		return "containers", c.logsCommand
	case "exec":
		return "containers", c.execCommand
	case "attach":
		return "containers", c.attachCommand
	case "stop":
		return "containers", c.stopCommand
	case "kill":
		return "containers", c.killCommand
	case "restart":
		return "containers", c.restartCommand
	case "rm":
		return "containers", c.rmCommand
	case "pause":
		return "containers", c.pauseCommand
	case "unpause":
		return "containers", c.unpauseCommand
	case "wait":
		return "containers", c.waitCommand
	case "inspect":
		return "containers", c.inspectCommand
	case "events":
		return "containers", c.eventsCommand
	case "trace":
		return "containers", c.traceCommand
	case "container":
		return "containers", c.containerCommand
	case "rename":
		return "containers", c.renameCommand
	case "port":
		return "containers", c.portCommand
	case "top":
		return "containers", c.topCommand
	case "stats":
		return "containers", c.statsCommand
	case "update":
		return "containers", c.updateCommand
	case "cp":
		return "containers", c.cpCommand
	case "diff":
		return "containers", c.diffCommand
	case "commit":
		return "containers", c.commitCommand
	case "export":
		return "containers", c.exportCommand
	case "image":
		return "images", c.imageCommand
	case "images":
		return "images", c.imagesCommand
	case "rmi":
		return "images", c.rmiCommand
	case "import":
		return "images", c.importCommand
	case "tag":
		return "images", c.imageTagCommand
	case "history":
		return "images", c.imageHistoryCommand
	case "pull":
		return "images", c.pullCommand
	case "push":
		return "images", c.pushCommand
	case "save":
		return "images", c.saveCommand
	case "load":
		return "images", c.loadCommand
	case "login":
		return "images", c.loginCommand
	case "logout":
		return "images", c.logoutCommand
	case "network":
		return "networks", c.networkCommand
	case "volume":
		return "volumes", c.volumeCommand
	case "system":
		return "system", c.systemCommand
	case "builder":
		return "images", c.builderCommand
	case "info":
		return "system", c.infoCommand
	case "version":
		return "system", c.versionCommand
	}
	return "", nil
}
