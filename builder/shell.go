package builder

import (
	"context"
	"slices"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// shell returns the shell in effect, which runs the shell form of RUN, CMD,
// ENTRYPOINT (and, in containers, of a CMD-SHELL health check): the
// stage's last SHELL, else its base image's, else /bin/sh -c. The caller
// may change the copy it gets.
func (s *stageRun) shell() []string {
	if len(s.state.Shell) > 0 {
		return slices.Clone(s.state.Shell)
	}
	return defaultShell()
}

// shellDetail is the SHELL step's Detail in its cache key. The entries of
// builds that kept the shell only while building the stage, not in
// the image, have no Detail: their state lacks Shell, so they must not
// match.
const shellDetail = "config.Shell"

// shellStep sets the shell in effect (SHELL) and keeps it in the image, as
// Docker's config.Shell, so that images built FROM this one and its
// containers' CMD-SHELL health checks use it. buildkit's parser has
// checked that it is a non-empty JSON list.
//
// The cache needs nothing more: a later step's key chains this step's,
// a FROM's the base image's id, which config.Shell is part of, and a RUN's
// Detail holds its argv, shell included.
func (s *stageRun) shellStep(ctx context.Context, text string, c *instructions.ShellCommand) error {
	shell := slices.Clone(c.Shell)
	instruction := "SHELL " + jsonString(shell)
	in := stepInputs{Instruction: instruction, Detail: shellDetail}
	return s.runStep(ctx, step{text: text, in: in, exec: func(context.Context) error {
		s.state.Shell = slices.Clone(shell)
		s.state.addHistory(instruction, true, time.Now())
		return nil
	}})
}
