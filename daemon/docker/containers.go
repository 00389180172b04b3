package docker

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func (h *Handler) containerCreate(w http.ResponseWriter, r *http.Request) error {
	var req container.CreateRequest
	if err := decodeJSON(w, r, &req, false); err != nil {
		return err
	}
	create, extras, warnings, err := toCreateNetworks(r.URL.Query().Get("name"), req)
	if err != nil {
		return err
	}
	// docker run --platform asks at create (the image was pulled for it).
	create.Platform = r.URL.Query().Get("platform")
	created, err := h.cfg.Containers.Create(r.Context(), create)
	if err != nil {
		return err
	}
	if err := h.connectExtras(r.Context(), created.ID, extras); err != nil {
		return err
	}
	warnings = append(warnings, created.Warnings...)
	if warnings == nil {
		warnings = []string{}
	}
	return writeJSON(w, http.StatusCreated, container.CreateResponse{ID: created.ID, Warnings: warnings})
}

func (h *Handler) containerList(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := api.ContainerListOptions{All: q.bool("all"), Limit: q.int("limit", 0), Size: q.bool("size"), Filters: q.filters()}
	if q.bool("latest") && opts.Limit == 0 {
		opts.Limit = 1
	}
	if opts.Limit < 0 {
		opts.Limit = 0
	}
	if q.err != nil {
		return q.err
	}
	list, err := h.cfg.Containers.ListFiltered(r.Context(), opts)
	if err != nil {
		return err
	}
	out := make([]container.Summary, 0, len(list))
	version := requestOf(r).version
	for _, c := range list {
		out = append(out, h.listEntry(r.Context(), c, version))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) containerInspect(w http.ResponseWriter, r *http.Request) error {
	c, err := h.cfg.Containers.Inspect(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := inspectOf(c)
	setNetworks(&out, c, requestOf(r).version)
	return writeJSON(w, http.StatusOK, out)
}

func (h *Handler) containerStart(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := h.cfg.Containers.Inspect(r.Context(), id)
	if err != nil {
		return err
	}
	if c.StateDetail.Running {
		return errNotModified
	}
	if err := h.cfg.Containers.Start(r.Context(), id); err != nil {
		// As Docker: a --rm container that cannot start is removed, so
		// that the client waiting for its removal (docker run --rm) ends.
		if c.Config.AutoRemove {
			h.cfg.Containers.Remove(context.WithoutCancel(r.Context()), id, true)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// timeoutQuery reads Docker's stop timeout t (seconds; -1 waits forever,
// which we bound like an absent one).
func timeoutQuery(q *query) *int {
	if !q.has("t") {
		return nil
	}
	t := q.int("t", 0)
	if t < 0 {
		return nil
	}
	return &t
}

func (h *Handler) containerStop(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	timeout := timeoutQuery(q)
	if q.err != nil {
		return q.err
	}
	if q.string("signal") != "" {
		return unsupported("query parameter signal", "a stop signal chosen at stop time (set it at create, Config.StopSignal)")
	}
	id := r.PathValue("id")
	c, err := h.cfg.Containers.Inspect(r.Context(), id)
	if err != nil {
		return err
	}
	if !c.StateDetail.Running && !c.StateDetail.Restarting {
		return errNotModified
	}
	return noContent(w, h.cfg.Containers.Stop(r.Context(), id, timeout))
}

func (h *Handler) containerRestart(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	timeout := timeoutQuery(q)
	if q.err != nil {
		return q.err
	}
	if q.string("signal") != "" {
		return unsupported("query parameter signal", "a stop signal chosen at restart time")
	}
	return noContent(w, h.cfg.Containers.Restart(r.Context(), r.PathValue("id"), timeout))
}

func (h *Handler) containerKill(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, h.cfg.Containers.Kill(r.Context(), r.PathValue("id"), r.URL.Query().Get("signal")))
}

func (h *Handler) containerPause(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, h.cfg.Containers.Pause(r.Context(), r.PathValue("id")))
}

func (h *Handler) containerUnpause(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, h.cfg.Containers.Unpause(r.Context(), r.PathValue("id")))
}

func (h *Handler) containerRename(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimPrefix(r.URL.Query().Get("name"), "/")
	if name == "" {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter name: a new name is required")
	}
	return noContent(w, h.cfg.Containers.Rename(r.Context(), r.PathValue("id"), name))
}

func (h *Handler) containerResize(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	height, width := q.int("h", 0), q.int("w", 0)
	if q.err != nil {
		return q.err
	}
	if height < 0 || width < 0 || height > 65535 || width > 65535 {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameters h and w: %dx%d is not a terminal size", height, width)
	}
	return h.resizeOK(w, h.cfg.Containers.Resize(r.Context(), r.PathValue("id"), uint16(height), uint16(width)))
}

// resizeOK answers a resize 200 as Docker does.
func (h *Handler) resizeOK(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) containerTop(w http.ResponseWriter, r *http.Request) error {
	top, err := h.cfg.Containers.Top(r.Context(), r.PathValue("id"), r.URL.Query().Get("ps_args"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, container.TopResponse{Titles: top.Titles, Processes: top.Processes})
}

func (h *Handler) containerRemove(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	if q.bool("link") {
		return unsupported("query parameter link", "removing a legacy link")
	}
	if q.bool("v") {
		// docker rm -v: the container's anonymous volumes go with it.
		return noContent(w, h.cfg.Containers.RemoveWithVolumes(r.Context(), r.PathValue("id"), q.bool("force")))
	}
	return noContent(w, h.cfg.Containers.Remove(r.Context(), r.PathValue("id"), q.bool("force")))
}

func (h *Handler) containerPrune(w http.ResponseWriter, r *http.Request) error {
	if f := newQuery(r).filters(); len(f) > 0 {
		return unsupported("query parameter filters", "filtering a prune")
	}
	rep, err := h.cfg.Containers.Prune(r.Context())
	if err != nil {
		return err
	}
	deleted := rep.Deleted
	if deleted == nil {
		deleted = []string{}
	}
	return writeJSON(w, http.StatusOK, container.PruneReport{ContainersDeleted: deleted, SpaceReclaimed: uint64(max(rep.SpaceReclaimed, 0))})
}

// containerWait answers once the condition holds. As Docker, the 200
// header goes out once the container is found, before the wait ends; a
// failure after that is the answer's Error.
func (h *Handler) containerWait(w http.ResponseWriter, r *http.Request) error {
	cond := r.URL.Query().Get("condition")
	switch cond {
	case "":
		cond = "not-running"
	case "not-running", "next-exit", "removed":
	default:
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter condition=%q: want not-running, next-exit or removed", cond)
	}
	id := r.PathValue("id")
	if _, err := h.cfg.Containers.Inspect(r.Context(), id); err != nil {
		return err
	}
	ctx, cancel := h.streamCtx(r.Context())
	defer cancel()
	fw := newFlushWriter(w, "application/json")
	if err := fw.Start(); err != nil {
		return err
	}
	res, err := h.cfg.Containers.Wait(ctx, id, cond)
	if err != nil {
		return json.NewEncoder(fw).Encode(container.WaitResponse{StatusCode: -1, Error: &container.WaitExitError{Message: err.Error()}})
	}
	return json.NewEncoder(fw).Encode(waitResponse(res))
}

func waitResponse(res api.WaitResult) container.WaitResponse {
	out := container.WaitResponse{StatusCode: int64(res.StatusCode)}
	if res.Error != "" {
		out.Error = &container.WaitExitError{Message: res.Error}
	}
	return out
}

func (h *Handler) containerLogs(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := api.LogsOptions{Follow: q.bool("follow"), Stdout: q.bool("stdout"), Stderr: q.bool("stderr"),
		Timestamps: q.bool("timestamps"), Tail: -1}
	if t := q.string("tail"); t != "" && t != "all" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter tail=%q: want all or a number of lines", t)
		}
		opts.Tail = n
	}
	var err error
	if opts.Since, err = unixTime("since", q.string("since")); err != nil {
		return err
	}
	if opts.Until, err = unixTime("until", q.string("until")); err != nil {
		return err
	}
	if !opts.Stdout && !opts.Stderr {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "Bad parameters: you must choose at least one stream")
	}
	id := r.PathValue("id")
	c, err := h.cfg.Containers.Inspect(r.Context(), id)
	if err != nil {
		return err
	}
	ctx, cancel := h.streamCtx(r.Context())
	defer cancel()
	media := "application/vnd.docker.multiplexed-stream"
	if c.Config.Tty {
		media = "application/vnd.docker.raw-stream"
	}
	fw := newFlushWriter(w, media)
	if opts.Follow {
		// The client learns at once that it follows.
		if err := fw.Start(); err != nil {
			return err
		}
	}
	if err := h.cfg.Containers.Logs(ctx, id, opts, frameWriter{w: fw, tty: c.Config.Tty}); err != nil {
		return err
	}
	return fw.Start()
}

// unixTime reads Docker's timestamps: seconds since the epoch, maybe with
// a fraction ("1700000000.123456789"); empty or 0 is no bound.
func unixTime(name, s string) (time.Time, error) {
	if s == "" || s == "0" {
		return time.Time{}, nil
	}
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter %s=%q: want seconds since the epoch", name, s)
	}
	var nsec int64
	if frac != "" {
		frac = (frac + "000000000")[:9]
		if nsec, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, errdefs.Kindf(errdefs.ErrInvalidArgument, "query parameter %s=%q: want seconds since the epoch", name, s)
		}
	}
	return time.Unix(n, nsec), nil
}

func (h *Handler) containerAttach(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	opts := api.AttachOptions{Stdin: q.bool("stdin"), Stdout: q.bool("stdout"), Stderr: q.bool("stderr"),
		Logs: q.bool("logs"), DetachKeys: q.string("detachKeys")}
	id := r.PathValue("id")
	c, err := h.cfg.Containers.Inspect(r.Context(), id)
	if err != nil {
		return err
	}
	switch st := c.StateDetail.Status; {
	case st == "running" || st == "paused" || st == "created" || st == "restarting" || opts.Logs:
	default:
		return errdefs.Kindf(errdefs.ErrConflict, "you cannot attach to a stopped container, start it first")
	}
	if !q.bool("stream") && !opts.Logs {
		return errdefs.Kindf(errdefs.ErrInvalidArgument, "Bad parameters: at least one of stream or logs must be set")
	}
	return h.runSession(w, r, c.Config.Tty, opts.Stdin, func(ctx context.Context, s *session) error {
		return h.cfg.Containers.Attach(ctx, id, opts, s)
	})
}

// runSession runs a service's session on the connection, which is taken
// over at the session's first use. An error before that is the answer's
// status; after it, it reaches the client on the stream.
func (h *Handler) runSession(w http.ResponseWriter, r *http.Request, tty, stdin bool, run func(context.Context, *session) error) error {
	ctx, cancel := h.streamCtx(r.Context())
	defer cancel()
	s := h.hijack(w, r, tty, stdin)
	err := run(ctx, s)
	if err != nil && s.seal() {
		s.close()
		return err
	}
	defer s.close()
	// A session that ended without a word still answers (and ends the
	// stream), as a taken-over connection.
	if oerr := s.open(); oerr != nil {
		return nil
	}
	if err != nil && ctx.Err() == nil {
		s.fail(err)
	}
	return nil
}
