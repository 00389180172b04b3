package api

import (
	"os"
	"time"
)

// PathStatHeader is the answer header of HEAD and GET
// /v1/containers/{id}/archive that describes the path: its PathStat as
// base64 (standard encoding) of JSON, under Docker's name.
const PathStatHeader = "X-Docker-Container-Path-Stat"

// PathStat describes a path in a container, as Docker's
// container.PathStat (whose JSON names it keeps).
type PathStat struct {
	// Name is the path's last element ("/" for the root).
	Name string `json:"name"`
	Size int64  `json:"size"`
	// Mode is Go's os.FileMode: permission bits and type bits.
	Mode  os.FileMode `json:"mode"`
	Mtime time.Time   `json:"mtime"`
	// LinkTarget is, for a symlink, the absolute path in the container it
	// resolves to (inside the container's root); empty otherwise.
	LinkTarget string `json:"linkTarget"`
}

// CopyToOptions are the query of PUT /v1/containers/{id}/archive.
type CopyToOptions struct {
	// CopyUIDGID keeps the owners the tar records (cp -a); otherwise
	// every entry belongs to the container's root user.
	CopyUIDGID bool
	// NoOverwriteDirNonDir refuses to replace a directory with something
	// else, or something else with a directory.
	NoOverwriteDirNonDir bool
}

// The kinds of ContainerChange, as Docker numbers them.
const (
	ChangeModify = 0
	ChangeAdd    = 1
	ChangeDelete = 2
)

// ContainerChange is one entry of GET /v1/containers/{id}/changes: a path
// of the container's filesystem that differs from its image. Docker's
// field names.
type ContainerChange struct {
	Path string `json:"Path"`
	Kind int    `json:"Kind"`
}

// ContainerCommit is the body of POST /v1/containers/{id}/commit.
type ContainerCommit struct {
	// Reference names the new image (REPO[:TAG]); empty leaves it
	// dangling.
	Reference string `json:"reference,omitempty"`
	// Comment is the commit message (-m), recorded in the image's history.
	Comment string `json:"comment,omitempty"`
	// Author (-a) becomes the image config's author.
	Author string `json:"author,omitempty"`
	// Changes are Dockerfile instructions applied to the config (-c):
	// CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME,
	// STOPSIGNAL.
	Changes []string `json:"changes,omitempty"`
	// Pause freezes a running container while its files are read
	// (Docker's default: true).
	Pause bool `json:"pause,omitempty"`
}

// IDResponse answers a request that made something with its id, as
// Docker's IDResponse.
type IDResponse struct {
	ID string `json:"Id"`
}

// ErrorHeader carries the error message of a failed HEAD request, whose
// answer has no body (HEAD /v1/containers/{id}/archive).
const ErrorHeader = "X-Error-Message"

// ImageImportOptions are the query of POST /v1/images/import: name,
// changes (repeated: Dockerfile instructions applied to the config, as
// ContainerCommit.Changes) and message (the history comment).
type ImageImportOptions struct {
	Name    string
	Changes []string
	Message string
}
