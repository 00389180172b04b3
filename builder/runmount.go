package builder

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/container-runtime/container-runtime/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// runMount is one RUN --mount after variable expansion, checked.
type runMount struct {
	// kind is "bind", "cache" or "tmpfs".
	kind string
	// target is the absolute, clean path in the step's container.
	target string
	// source is the path inside the context, stage or image of a bind
	// (relative to its root, "." for all of it).
	source string
	// from is the stage or image a bind reads ("" for the context).
	from string
	// readOnly: a bind is read-only unless rw; a cache or tmpfs writable.
	readOnly bool
	// id names a cache (its target by default); sharing is "shared",
	// "private" or "locked".
	id, sharing string
	// mode, uid and gid are those of a cache directory when it is made.
	mode     uint32
	uid, gid uint32
	// size bounds a tmpfs (0: the kernel's default, half the memory).
	size int64
}

// describe renders the mount for the step's cache key and messages.
func (m runMount) describe() string {
	parts := []string{"type=" + m.kind, "target=" + m.target}
	switch m.kind {
	case "bind":
		parts = append(parts, "source="+m.source)
		if m.from != "" {
			parts = append(parts, "from="+m.from)
		}
		if !m.readOnly {
			parts = append(parts, "rw")
		}
	case "cache":
		parts = append(parts, "id="+m.id, "sharing="+m.sharing, fmt.Sprintf("mode=%o,uid=%d,gid=%d", m.mode, m.uid, m.gid))
		if m.readOnly {
			parts = append(parts, "ro")
		}
	case "tmpfs":
		if m.size > 0 {
			parts = append(parts, "size="+strconv.FormatInt(m.size, 10))
		}
	}
	return strings.Join(parts, ",")
}

// checkRunFlags refuses the RUN flags this builder does not implement and
// checks the --mount values that need no variable, so that a wrong mount
// fails when the Dockerfile is parsed, at its line.
func checkRunFlags(c *instructions.RunCommand) error {
	for _, flag := range c.FlagsUsed {
		if flag != "network" && flag != "mount" {
			return fmt.Errorf("RUN --%s is not supported", flag)
		}
	}
	if len(c.Files) > 0 && (!c.PrependShell || len(c.CmdLine) != 1) {
		return errors.New("RUN: a heredoc needs the shell form (RUN <<EOF or RUN command <<EOF), not the JSON form")
	}
	// Parse the values as written: buildkit only reads them once it
	// has an expander. Dispatch parses them again, expanded.
	if err := c.Expand(func(w string) (string, error) { return w, nil }); err != nil {
		return fmt.Errorf("RUN --mount: %w", err)
	}
	for _, m := range instructions.GetMounts(c) {
		if _, err := checkMount(m, "/"); err != nil {
			return err
		}
	}
	return nil
}

// checkMount checks one parsed --mount and resolves its target against
// the working directory wd. Values still holding a variable (at parse
// time) are checked only for what they can be.
func checkMount(m *instructions.Mount, wd string) (runMount, error) {
	rm := runMount{kind: string(m.Type), source: m.Source, from: m.From, readOnly: m.ReadOnly,
		id: m.CacheID, sharing: string(m.CacheSharing), mode: 0o755, size: m.SizeLimit}
	switch m.Type {
	case instructions.MountTypeSecret:
		return rm, refuse("RUN --mount=type=secret is not supported: this builder has no way to pass secrets (use a build arg for a non-secret value)")
	case instructions.MountTypeSSH:
		return rm, refuse("RUN --mount=type=ssh is not supported: this builder does not forward an SSH agent")
	}
	if m.Target == "" {
		return rm, refuse("RUN --mount=type=%s: a target is required (target=/path)", m.Type)
	}
	rm.target = m.Target
	if !path.IsAbs(rm.target) {
		rm.target = path.Join(wd, rm.target)
	}
	rm.target = path.Clean(rm.target)
	if rm.target == "/" && !strings.Contains(m.Target, "$") {
		return rm, refuse("RUN --mount=type=%s,target=%s: cannot mount over the root directory", m.Type, m.Target)
	}
	switch m.Type {
	case instructions.MountTypeCache:
		if m.From != "" || m.Source != "" {
			return rm, refuse("RUN --mount=type=cache: from= and source= are not supported (a cache starts empty)")
		}
		if rm.id == "" {
			rm.id = rm.target
		}
		if rm.sharing == "" {
			rm.sharing = string(instructions.MountSharingShared)
		}
		if m.Mode != nil {
			if *m.Mode > 0o7777 {
				return rm, refuse("RUN --mount=type=cache,mode=%o: not a mode", *m.Mode)
			}
			rm.mode = uint32(*m.Mode)
		}
		if m.UID != nil {
			rm.uid = uint32(*m.UID)
		}
		if m.GID != nil {
			rm.gid = uint32(*m.GID)
		}
	case instructions.MountTypeBind:
		if rm.source == "" {
			rm.source = "."
		}
		if strings.ContainsRune(rm.source, 0) {
			return rm, refuse("RUN --mount=type=bind: the source holds a NUL byte")
		}
	}
	return rm, nil
}

// refuse is an ErrInvalidArgument with a formatted message.
func refuse(format string, args ...any) error {
	return withKind(fmt.Errorf(format, args...), errdefs.ErrInvalidArgument)
}

// runMountFroms returns the from= values of a RUN's bind mounts as
// written (parsed when the Dockerfile was), so that the stages they name
// are built first and counted in the build's steps.
func runMountFroms(cmd instructions.Command) []string {
	c, ok := cmd.(*instructions.RunCommand)
	if !ok {
		return nil
	}
	var froms []string
	for _, m := range instructions.GetMounts(c) {
		if m.From != "" && m.Type == instructions.MountTypeBind {
			froms = append(froms, m.From)
		}
	}
	return froms
}
