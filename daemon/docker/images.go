package docker

import (
	"net/http"
	"slices"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/image"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// imageGet serves GET /images/{name...}/json|history|get: image names
// hold slashes, so the route's last segment says what is asked.
func (h *Handler) imageGet(w http.ResponseWriter, r *http.Request) error {
	rest := r.PathValue("rest")
	switch {
	case strings.HasSuffix(rest, "/json"):
		return h.imageInspect(w, r, strings.TrimSuffix(rest, "/json"))
	case strings.HasSuffix(rest, "/history"):
		return h.imageHistory(w, r, strings.TrimSuffix(rest, "/history"))
	case strings.HasSuffix(rest, "/get"):
		return h.imageSave(w, r, []string{strings.TrimSuffix(rest, "/get")})
	}
	return notImplemented(w, r)
}

// imagePost serves POST /images/{name...}/tag|push.
func (h *Handler) imagePost(w http.ResponseWriter, r *http.Request) error {
	rest := r.PathValue("rest")
	switch {
	case strings.HasSuffix(rest, "/tag"):
		return h.imageTag(w, r, strings.TrimSuffix(rest, "/tag"))
	case strings.HasSuffix(rest, "/push"):
		return h.imagePush(w, r, strings.TrimSuffix(rest, "/push"))
	}
	return notImplemented(w, r)
}

func (h *Handler) imageList(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := api.ImageListOptions{All: q.bool("all"), Filters: q.filters()}
	if q.err != nil {
		return q.err
	}
	list, err := h.cfg.Images.ListFiltered(r.Context(), opts)
	if err != nil {
		return err
	}
	out := make([]image.Summary, 0, len(list))
	for _, img := range list {
		out = append(out, image.Summary{
			ID: img.ID, RepoTags: repoTags(img.Names), RepoDigests: []string{}, Created: img.Created.Unix(),
			Size: img.Size, Labels: map[string]string{}, Containers: -1, SharedSize: -1,
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

// repoTags are an image's names as Docker lists them (NAME:TAG).
func repoTags(names []string) []string {
	out := []string{}
	for _, n := range names {
		if !strings.Contains(n, "@") {
			out = append(out, n)
		}
	}
	return out
}

func (h *Handler) imageInspect(w http.ResponseWriter, r *http.Request, ref string) error {
	img, err := h.cfg.Images.Inspect(r.Context(), ref)
	if err != nil {
		return err
	}
	c := img.Config
	out := image.InspectResponse{
		ID:           img.ID,
		RepoTags:     repoTags(img.Names),
		RepoDigests:  []string{},
		Created:      dockerTime(img.Created),
		Architecture: img.Architecture,
		Os:           img.OS,
		Size:         img.Size,
		RootFS:       image.RootFS{Type: "layers", Layers: img.Layers},
		Config: &dockerspec.DockerOCIImageConfig{ImageConfig: ocispec.ImageConfig{
			User: c.User, ExposedPorts: c.ExposedPorts, Env: c.Env, Entrypoint: c.Entrypoint, Cmd: c.Cmd,
			Volumes: c.Volumes, WorkingDir: c.WorkingDir, Labels: c.Labels, StopSignal: c.StopSignal,
		}, DockerOCIImageConfigExt: imageConfigExt(c)},
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) imageHistory(w http.ResponseWriter, r *http.Request, ref string) error {
	img, err := h.cfg.Images.Inspect(r.Context(), ref)
	if err != nil {
		return err
	}
	hist, err := h.cfg.Images.History(r.Context(), ref)
	if err != nil {
		return err
	}
	// Docker lists the newest step first; the image's id and tags go on
	// it, the others are "<missing>" (their layers are no images).
	out := make([]image.HistoryResponseItem, 0, len(hist))
	for _, e := range slices.Backward(hist) {
		out = append(out, image.HistoryResponseItem{ID: "<missing>", Created: e.Created.Unix(), CreatedBy: e.CreatedBy,
			Comment: e.Comment, Tags: []string{}})
	}
	if len(out) > 0 {
		out[0].ID, out[0].Tags = img.ID, repoTags(img.Names)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) imageTag(w http.ResponseWriter, r *http.Request, ref string) error {
	q := newQuery(r)
	repo, tag := q.string("repo"), q.string("tag")
	if repo == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter repo: a repository name is required")
	}
	name := familiar(repo)
	if tag != "" {
		name += ":" + tag
	}
	if err := h.cfg.Images.Tag(r.Context(), ref, name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (h *Handler) imageRemove(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	done, err := h.cfg.Images.Remove(r.Context(), r.PathValue("rest"), q.bool("force"))
	if err != nil {
		return err
	}
	out := make([]image.DeleteResponse, 0, len(done))
	for _, line := range done {
		if name, ok := strings.CutPrefix(line, "Untagged: "); ok {
			out = append(out, image.DeleteResponse{Untagged: name})
		} else if id, ok := strings.CutPrefix(line, "Deleted: "); ok {
			out = append(out, image.DeleteResponse{Deleted: id})
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) imagePrune(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := q.filters()
	if q.err != nil {
		return q.err
	}
	all := false
	for k, vals := range f {
		if k != "dangling" {
			return unsupported("query parameter filters", "the prune filter "+k)
		}
		all = slices.Contains(vals, "false") || slices.Contains(vals, "0")
	}
	rep, err := h.cfg.Images.Prune(r.Context(), all)
	if err != nil {
		return err
	}
	out := image.PruneReport{ImagesDeleted: []image.DeleteResponse{}, SpaceReclaimed: uint64(max(rep.SpaceReclaimed, 0))}
	for _, id := range rep.Deleted {
		out.ImagesDeleted = append(out.ImagesDeleted, image.DeleteResponse{Deleted: id})
	}
	return writeJSON(w, http.StatusOK, out)
}

// familiar is a Docker Hub name as the engine stores it: the docker CLI
// sends "docker.io/library/busybox" for "busybox" (it normalizes every
// name), the store and our CLI say "busybox".
func familiar(name string) string {
	if rest, ok := strings.CutPrefix(name, "docker.io/library/"); ok && !strings.Contains(rest, "/") {
		return rest
	}
	if rest, ok := strings.CutPrefix(name, "docker.io/"); ok && strings.Contains(rest, "/") {
		return rest
	}
	return name
}
