package docker

import "net/http"

// routes is the route table of the Docker Engine API section of
// docs/API.md, without the version prefix (ServeHTTP takes it off).
func (h *Handler) routes() *http.ServeMux {
	m := http.NewServeMux()
	handle := func(pattern string, fn errHandler) { m.Handle(pattern, fn) }

	handle("GET /_ping", h.ping)
	handle("HEAD /_ping", h.ping)
	handle("GET /version", h.version)
	handle("GET /info", h.info)
	handle("GET /events", h.events)
	handle("GET /system/df", h.diskUsage)
	handle("POST /auth", h.auth)

	handle("POST /containers/create", h.containerCreate)
	handle("GET /containers/json", h.containerList)
	handle("POST /containers/prune", h.containerPrune)
	handle("GET /containers/{id}/json", h.containerInspect)
	handle("DELETE /containers/{id}", h.containerRemove)
	handle("POST /containers/{id}/start", h.containerStart)
	handle("POST /containers/{id}/stop", h.containerStop)
	handle("POST /containers/{id}/restart", h.containerRestart)
	handle("POST /containers/{id}/kill", h.containerKill)
	handle("POST /containers/{id}/pause", h.containerPause)
	handle("POST /containers/{id}/unpause", h.containerUnpause)
	handle("POST /containers/{id}/wait", h.containerWait)
	handle("POST /containers/{id}/rename", h.containerRename)
	handle("POST /containers/{id}/resize", h.containerResize)
	handle("POST /containers/{id}/attach", h.containerAttach)
	handle("GET /containers/{id}/logs", h.containerLogs)
	handle("GET /containers/{id}/top", h.containerTop)
	handle("GET /containers/{id}/stats", h.containerStats)
	handle("POST /containers/{id}/update", h.containerUpdate)
	handle("HEAD /containers/{id}/archive", h.containerArchiveStat)
	handle("GET /containers/{id}/archive", h.containerArchiveGet)
	handle("PUT /containers/{id}/archive", h.containerArchivePut)
	handle("GET /containers/{id}/changes", h.containerChanges)
	handle("GET /containers/{id}/export", h.containerExport)
	handle("POST /commit", h.commit)

	handle("POST /containers/{id}/exec", h.execCreate)
	handle("POST /exec/{id}/start", h.execStart)
	handle("POST /exec/{id}/resize", h.execResize)
	handle("GET /exec/{id}/json", h.execInspect)

	// Image names hold slashes: the handlers read what is asked from the
	// end of the path ({rest...}).
	handle("GET /images/json", h.imageList)
	handle("GET /images/search", h.imageSearch)
	handle("POST /images/create", h.imageCreate)
	handle("POST /images/load", h.imageLoad)
	handle("POST /images/prune", h.imagePrune)
	handle("GET /images/get", h.imageSaveAll)
	handle("GET /images/{rest...}", h.imageGet)
	handle("POST /images/{rest...}", h.imagePost)
	handle("DELETE /images/{rest...}", h.imageRemove)
	handle("POST /build", h.build)
	handle("POST /build/prune", h.buildPrune)

	handle("GET /networks", h.networkList)
	handle("POST /networks/create", h.networkCreate)
	handle("GET /networks/{id}", h.networkInspect)
	handle("DELETE /networks/{id}", h.networkRemove)
	handle("POST /networks/{id}/connect", h.networkConnect)
	handle("POST /networks/{id}/disconnect", h.networkDisconnect)
	handle("POST /networks/prune", h.networkPrune)

	handle("POST /volumes/create", h.volumeCreate)
	handle("GET /volumes", h.volumeList)
	handle("POST /volumes/prune", h.volumePrune)
	handle("GET /volumes/{name}", h.volumeInspect)
	handle("DELETE /volumes/{name}", h.volumeRemove)

	// Everything else of Docker's API (swarm, plugins, ...) is named as
	// not implemented.
	handle("/", notImplemented)
	return m
}
