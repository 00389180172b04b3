package main

import "github.com/spf13/cobra"

// containerVerbs are Docker's `container X` twins of the top-level
// container verbs: each is built afresh (a cobra command has one
// parent), so `container stop -t 3 web` and `stop -t 3 web` share code
// and flags.
func (c *cli) containerVerbs() []*cobra.Command {
	return append([]*cobra.Command{
		c.runCommand(), c.createCommand(), c.startCommand(), c.stopCommand(), c.restartCommand(),
		c.killCommand(), c.rmCommand(), c.logsCommand(), c.execCommand(), c.inspectCommand(),
		c.attachCommand(), c.waitCommand(), c.pauseCommand(), c.unpauseCommand(),
		c.renameCommand(), c.portCommand(), c.topCommand(), c.traceCommand(),
		c.statsCommand(), c.updateCommand(),
	}, c.fileVerbs()...)
}

// imageVerbs are the top-level twins of `image tag` and `image history`,
// as Docker's `tag` and `history`.
func (c *cli) imageVerbs() []*cobra.Command {
	return []*cobra.Command{c.imageTagCommand(), c.imageHistoryCommand()}
}
