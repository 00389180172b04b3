package docker

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/daemon"
	"github.com/container-runtime/container-runtime/errdefs"
)

// registryAuth decodes X-Registry-Auth (base64url JSON of
// registry.AuthConfig); absent or empty means the daemon's stored
// credentials.
func registryAuth(r *http.Request) (*api.RegistryAuth, error) {
	hdr := r.Header.Get(registry.AuthHeader)
	if hdr == "" {
		return nil, nil
	}
	b, err := base64.URLEncoding.DecodeString(hdr)
	if err != nil {
		// Some clients pad differently: try without padding.
		if b, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(hdr, "=")); err != nil {
			return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "header %s: not base64: %v", registry.AuthHeader, err)
		}
	}
	var ac registry.AuthConfig
	if err := json.Unmarshal(b, &ac); err != nil {
		return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "header %s: %v", registry.AuthHeader, err)
	}
	if ac.Username == "" && ac.Password == "" && ac.IdentityToken == "" {
		return nil, nil
	}
	return &api.RegistryAuth{Username: ac.Username, Password: ac.Password, IdentityToken: ac.IdentityToken}, nil
}

// progressMessage is one of our progress lines in Docker's shape.
func progressMessage(p api.Progress) jsonstream.Message {
	m := jsonstream.Message{ID: p.Layer, Status: p.Status, Stream: p.Stream}
	if p.Total > 0 || p.Current > 0 {
		m.Progress = &jsonstream.Progress{Current: p.Current, Total: p.Total}
	}
	if p.Error != nil {
		m.Error = &jsonstream.Error{Message: p.Error.Message}
	}
	return m
}

// imageCreate is docker pull (fromImage) and docker import (fromSrc=-).
func (h *Handler) imageCreate(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	if src := q.string("fromSrc"); src != "" {
		if src != "-" {
			return unsupported("query parameter fromSrc", "importing from a URL")
		}
		return h.imageImport(w, r, q)
	}
	if h.cfg.Distribution == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not pull images")
	}
	ref := q.string("fromImage")
	if ref == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter fromImage: an image to pull is required")
	}
	if tag := q.string("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			ref += "@" + tag
		} else {
			ref += ":" + tag
		}
	}
	auth, err := registryAuth(r)
	if err != nil {
		return err
	}
	jw := jsonWriter{w: newFlushWriter(w, "application/json")}
	_, err = h.cfg.Distribution.Pull(r.Context(), api.PullRequest{Ref: ref, Platform: q.string("platform"), Auth: auth},
		func(p api.Progress) { jw.send(progressMessage(p)) })
	if err != nil {
		return jw.fail(err)
	}
	return jw.send(jsonstream.Message{Status: "Status: Downloaded newer image for " + ref})
}

func (h *Handler) imageImport(w http.ResponseWriter, r *http.Request, q *query) error {
	name := familiar(q.string("repo"))
	if tag := q.string("tag"); name != "" && tag != "" {
		name += ":" + tag
	}
	opts := api.ImageImportOptions{Name: name, Changes: q.v["changes"], Message: q.string("message")}
	// Progress goes out while the body still comes in: without full
	// duplex, Go's HTTP/1 server closes the body at the first write.
	if err := http.NewResponseController(w).EnableFullDuplex(); err != nil {
		return fmt.Errorf("streaming the import: %w", err)
	}
	jw := jsonWriter{w: newFlushWriter(w, "application/json")}
	var id string
	var err error
	if im, ok := h.cfg.Images.(daemon.ImageImporter); ok {
		id, err = im.ImportWith(r.Context(), r.Body, opts, jw)
	} else if len(opts.Changes) > 0 || opts.Message != "" {
		return unsupported("query parameters changes and message", "changing the config of an imported image")
	} else {
		id, err = h.cfg.Images.Import(r.Context(), r.Body, name, jw)
	}
	if err != nil {
		return jw.fail(err)
	}
	return jw.send(jsonstream.Message{Status: id})
}

func (h *Handler) imagePush(w http.ResponseWriter, r *http.Request, name string) error {
	if h.cfg.Distribution == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not push images")
	}
	ref := name
	if tag := r.URL.Query().Get("tag"); tag != "" {
		ref += ":" + tag
	}
	auth, err := registryAuth(r)
	if err != nil {
		return err
	}
	jw := jsonWriter{w: newFlushWriter(w, "application/json")}
	_, digest, err := h.cfg.Distribution.Push(r.Context(), ref, api.PushRequest{Auth: auth},
		func(p api.Progress) { jw.send(progressMessage(p)) })
	if err != nil {
		return jw.fail(err)
	}
	tag := "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		tag = ref[i+1:]
	}
	aux, _ := json.Marshal(map[string]any{"Tag": tag, "Digest": digest})
	raw := json.RawMessage(aux)
	if err := jw.send(jsonstream.Message{Status: fmt.Sprintf("%s: digest: %s", tag, digest)}); err != nil {
		return err
	}
	return jw.send(jsonstream.Message{Aux: &raw})
}

// imageSaveAll is GET /images/get?names=a&names=b (docker save a b).
func (h *Handler) imageSaveAll(w http.ResponseWriter, r *http.Request) error {
	names := r.URL.Query()["names"]
	if len(names) == 0 {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter names: at least one image is required")
	}
	return h.imageSave(w, r, names)
}

func (h *Handler) imageSave(w http.ResponseWriter, r *http.Request, refs []string) error {
	if h.cfg.Distribution == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not save images")
	}
	if len(r.URL.Query()["platform"]) > 0 {
		return unsupported("query parameter platform", "saving one platform of an image")
	}
	return h.cfg.Distribution.Save(r.Context(), refs, api.SaveFormatDocker, newFlushWriter(w, "application/x-tar"))
}

func (h *Handler) imageLoad(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Distribution == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not load images")
	}
	quiet := newQuery(r).bool("quiet")
	jw := jsonWriter{w: newFlushWriter(w, "application/json")}
	loaded, err := h.cfg.Distribution.Load(r.Context(), r.Body, func(p api.Progress) {
		if !quiet && p.Stream == "" {
			jw.send(progressMessage(p))
		}
	})
	if err != nil {
		return jw.fail(err)
	}
	for _, img := range loaded {
		if len(img.Names) == 0 {
			jw.send(jsonstream.Message{Stream: "Loaded image ID: " + img.ID + "\n"})
		}
		for _, n := range img.Names {
			jw.send(jsonstream.Message{Stream: "Loaded image: " + n + "\n"})
		}
	}
	return jw.w.Start()
}

// auth is docker login: the daemon checks and keeps the credentials.
func (h *Handler) auth(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Distribution == nil {
		return errdefs.Kindf(errdefs.ErrUnavailable, "this daemon does not log in to registries")
	}
	var ac registry.AuthConfig
	if err := decodeJSON(w, r, &ac, false); err != nil {
		return err
	}
	reg := strings.TrimPrefix(strings.TrimPrefix(ac.ServerAddress, "https://"), "http://")
	reg = strings.TrimSuffix(strings.TrimSuffix(reg, "/v1/"), "/")
	if reg == "index.docker.io" {
		reg = ""
	}
	if err := h.cfg.Distribution.Login(r.Context(), api.LoginRequest{Registry: reg, Username: ac.Username, Password: ac.Password}); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, registry.AuthResponse{Status: "Login Succeeded"})
}
