package docker

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/common"
	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
)

// The routes on a container's files: docker cp (archive HEAD, GET, PUT),
// diff (changes), export and commit, over daemon.ContainerFiles, which the
// container service implements besides daemon.ContainerService.

// maxTrailingBody bounds what is read of a PUT body after the tar ended
// (its zero padding), to keep the connection usable.
const maxTrailingBody = 1 << 20

// files returns the service of containers' files.
func (h *Handler) files() (daemon.ContainerFiles, error) {
	f, ok := h.cfg.Containers.(daemon.ContainerFiles)
	if !ok {
		return nil, errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not serve containers' files")
	}
	return f, nil
}

// archivePath reads the required path query parameter.
func archivePath(r *http.Request) (string, error) {
	p := r.URL.Query().Get("path")
	if p == "" {
		return "", errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter path: a path in the container is required")
	}
	return p, nil
}

// setPathStat writes Docker's X-Docker-Container-Path-Stat header: the
// container.PathStat as base64 of JSON.
func setPathStat(w http.ResponseWriter, st api.PathStat) {
	b, _ := json.Marshal(container.PathStat{Name: st.Name, Size: st.Size, Mode: st.Mode, Mtime: st.Mtime, LinkTarget: st.LinkTarget})
	w.Header().Set(api.PathStatHeader, base64.StdEncoding.EncodeToString(b))
}

// containerArchiveStat is HEAD /containers/{id}/archive?path=P: the
// PathStat header only (docker cp asks it of both ends). An error is its
// status alone, as Docker's: a HEAD answer has no body.
func (h *Handler) containerArchiveStat(w http.ResponseWriter, r *http.Request) error {
	err := func() error {
		f, err := h.files()
		if err != nil {
			return err
		}
		p, err := archivePath(r)
		if err != nil {
			return err
		}
		st, err := f.StatPath(r.Context(), r.PathValue("id"), p)
		if err != nil {
			return err
		}
		setPathStat(w, st)
		w.WriteHeader(http.StatusOK)
		return nil
	}()
	if err != nil {
		w.WriteHeader(statusOf(err))
	}
	return nil
}

// containerArchiveGet is GET /containers/{id}/archive?path=P: the path as
// a tar, with the PathStat header.
func (h *Handler) containerArchiveGet(w http.ResponseWriter, r *http.Request) error {
	f, err := h.files()
	if err != nil {
		return err
	}
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-tar")
	return f.CopyFrom(r.Context(), r.PathValue("id"), p, func(st api.PathStat) { setPathStat(w, st) }, w)
}

// containerArchivePut is PUT /containers/{id}/archive?path=P with a tar
// body, extracted into the directory P (docker cp into a container).
func (h *Handler) containerArchivePut(w http.ResponseWriter, r *http.Request) error {
	f, err := h.files()
	if err != nil {
		return err
	}
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	opts := api.CopyToOptions{CopyUIDGID: q.bool("copyUIDGID"), NoOverwriteDirNonDir: q.bool("noOverwriteDirNonDir")}
	if err := f.CopyTo(r.Context(), r.PathValue("id"), p, opts, r.Body); err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(r.Body, maxTrailingBody))
	w.WriteHeader(http.StatusOK)
	return nil
}

// containerChanges is GET /containers/{id}/changes (docker diff).
func (h *Handler) containerChanges(w http.ResponseWriter, r *http.Request) error {
	f, err := h.files()
	if err != nil {
		return err
	}
	changes, err := f.Changes(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]container.FilesystemChange, 0, len(changes))
	for _, c := range changes {
		out = append(out, container.FilesystemChange{Path: c.Path, Kind: container.ChangeType(c.Kind)})
	}
	return writeJSON(w, http.StatusOK, out)
}

// containerExport is GET /containers/{id}/export: the filesystem as a tar.
func (h *Handler) containerExport(w http.ResponseWriter, r *http.Request) error {
	f, err := h.files()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-tar")
	return f.Export(r.Context(), r.PathValue("id"), w)
}

// commit is POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=
// with an optional container.Config body, whose fields become Dockerfile
// instructions applied as the changes are. Answers 201 {"Id"}.
func (h *Handler) commit(w http.ResponseWriter, r *http.Request) error {
	f, err := h.files()
	if err != nil {
		return err
	}
	q := newQuery(r)
	id := q.string("container")
	if id == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter container: the container to commit is required")
	}
	var cfg *container.Config
	if err := decodeJSON(w, r, &cfg, true); err != nil {
		return err
	}
	changes, err := configChanges(cfg)
	if err != nil {
		return err
	}
	req := api.ContainerCommit{
		Comment: q.string("comment"), Author: q.string("author"),
		Changes: append(q.v["changes"], changes...),
		// Docker pauses unless told not to.
		Pause: !q.has("pause") || q.bool("pause"),
	}
	if repo := q.string("repo"); repo != "" {
		req.Reference = familiar(repo)
		if tag := q.string("tag"); tag != "" {
			req.Reference += ":" + tag
		}
	}
	img, err := f.Commit(r.Context(), id, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, common.IDResponse{ID: img})
}

// configChanges turns the config a commit request may carry (docker-py's
// conf) into Dockerfile instructions; a field with no instruction is
// refused rather than dropped.
func configChanges(cfg *container.Config) ([]string, error) {
	if cfg == nil {
		return nil, nil
	}
	rest := *cfg
	var out []string
	add := func(instr string, v any) {
		b, _ := json.Marshal(v)
		out = append(out, instr+" "+string(b))
	}
	if rest.Cmd != nil {
		add("CMD", []string(rest.Cmd))
	}
	if rest.Entrypoint != nil {
		add("ENTRYPOINT", []string(rest.Entrypoint))
	}
	for _, e := range rest.Env {
		k, v, _ := strings.Cut(e, "=")
		out = append(out, fmt.Sprintf("ENV %s=%s", k, quote(v)))
	}
	keys := slices.Sorted(maps.Keys(rest.Labels))
	for _, k := range keys {
		out = append(out, fmt.Sprintf("LABEL %s=%s", quote(k), quote(rest.Labels[k])))
	}
	for p := range rest.ExposedPorts {
		out = append(out, "EXPOSE "+p.String())
	}
	for v := range rest.Volumes {
		add("VOLUME", []string{v})
	}
	if rest.User != "" {
		out = append(out, "USER "+rest.User)
	}
	if rest.WorkingDir != "" {
		out = append(out, "WORKDIR "+rest.WorkingDir)
	}
	if rest.StopSignal != "" {
		out = append(out, "STOPSIGNAL "+rest.StopSignal)
	}
	rest.Cmd, rest.Entrypoint, rest.Env, rest.Labels, rest.ExposedPorts, rest.Volumes = nil, nil, nil, nil, nil, nil
	rest.User, rest.WorkingDir, rest.StopSignal = "", "", ""
	// What the client fills in from the container (docker-py sends the
	// image and the attach flags) changes nothing of the image.
	rest.Image, rest.Hostname, rest.Domainname = "", "", ""
	rest.AttachStdin, rest.AttachStdout, rest.AttachStderr, rest.Tty, rest.OpenStdin, rest.StdinOnce = false, false, false, false, false, false
	if !reflect.DeepEqual(rest, container.Config{}) {
		return nil, unsupported("commit config", "a config field other than Cmd, Entrypoint, Env, Labels, ExposedPorts, Volumes, User, WorkingDir and StopSignal")
	}
	return out, nil
}

// quote is a Dockerfile double-quoted word.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// imageSearch is GET /images/search: registries are not searched.
func (h *Handler) imageSearch(w http.ResponseWriter, r *http.Request) error {
	return errNotSupportedf("searching a registry (docker search) is not supported by container-runtimed: " +
		"pull by name from the registry, or list its repositories with the registry's own API")
}
