// Package version holds the build's version and commit, set by the
// Makefile's -ldflags:
//
//	-X github.com/container-runtime/container-runtime/internal/version.Version=$(git describe --tags --always --dirty)
//	-X github.com/container-runtime/container-runtime/internal/version.Commit=$(git rev-parse HEAD)
//
// A build without them (go build, go install, go test) reports "dev" and
// the commit the Go toolchain recorded in the binary, when it recorded one.
package version

import (
	"fmt"
	"runtime/debug"
)

// Version is the release or git description of this build ("dev" when
// not set at link time).
var Version = "dev"

// Commit is the full git commit the build was made from, set at link time.
// Use Revision, which falls back to the toolchain's record.
var Commit = ""

// Spec is the OCI runtime-spec version we implement.
const Spec = "1.3.0"

// Revision returns Commit when set at link time. Otherwise it returns the
// vcs.revision the Go toolchain stamped into the binary (go build in a git
// checkout, without -buildvcs=false), with "-dirty" appended when
// vcs.modified says the tree had uncommitted changes, or "unknown".
func Revision() string {
	if Commit != "" {
		return Commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return revisionOf(info.Settings)
}

// revisionOf reads the vcs settings of a build.
func revisionOf(settings []debug.BuildSetting) string {
	var rev string
	var modified bool
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	switch {
	case rev == "":
		return "unknown"
	case modified:
		return rev + "-dirty"
	default:
		return rev
	}
}

// Text is what a binary's --version prints, in runc's three-line shape,
// which go-runc's Version() and dockerd's `info` parse:
//
//	<prog> version <Version>
//	commit: <Revision()>
//	spec: <Spec>
func Text(prog string) string {
	return fmt.Sprintf("%s version %s\ncommit: %s\nspec: %s\n", prog, Version, Revision(), Spec)
}
