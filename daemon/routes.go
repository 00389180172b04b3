package daemon

import "net/http"

// routes is the route table of docs/API.md.
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	handle := func(pattern string, h errHandler) { m.Handle(pattern, h) }

	handle("GET /v1/_ping", s.ping)
	handle("GET /v1/version", s.version)
	handle("GET /v1/info", s.info)
	handle("GET /v1/system/df", s.diskUsage)
	handle("POST /v1/system/prune", s.systemPrune)
	handle("GET /v1/events", s.events)

	handle("GET /v1/images", s.imageList)
	handle("POST /v1/images/prune", s.imagePrune)
	handle("POST /v1/images/import", s.imageImport)
	handle("POST /v1/images/bootstrap", s.imageBootstrap)
	handle("GET /v1/images/{ref}", s.imageInspect)
	handle("GET /v1/images/{ref}/history", s.imageHistory)
	handle("POST /v1/images/{ref}/tag", s.imageTag)
	handle("DELETE /v1/images/{ref}", s.imageRemove)
	handle("GET /v1/images/{ref}/export", s.imageExport)
	handle("POST /v1/build", s.build)
	handle("POST /v1/build/prune", s.buildPrune)
	s.distributionRoutes(handle)

	handle("POST /v1/containers", s.containerCreate)
	handle("GET /v1/containers", s.containerList)
	handle("POST /v1/containers/prune", s.containerPrune)
	handle("GET /v1/containers/{id}", s.containerInspect)
	handle("DELETE /v1/containers/{id}", s.containerRemove)
	handle("POST /v1/containers/{id}/start", s.containerStart)
	handle("POST /v1/containers/{id}/stop", s.containerStop)
	handle("POST /v1/containers/{id}/kill", s.containerKill)
	handle("POST /v1/containers/{id}/restart", s.containerRestart)
	handle("POST /v1/containers/{id}/pause", s.containerPause)
	handle("POST /v1/containers/{id}/unpause", s.containerUnpause)
	handle("POST /v1/containers/{id}/wait", s.containerWait)
	handle("GET /v1/containers/{id}/logs", s.containerLogs)
	handle("POST /v1/containers/{id}/attach", s.containerAttach)
	handle("POST /v1/containers/{id}/resize", s.containerResize)
	handle("GET /v1/containers/{id}/trace", s.containerTrace)
	handle("POST /v1/containers/{id}/rename", s.containerRename)
	handle("GET /v1/containers/{id}/top", s.containerTop)
	handle("GET /v1/containers/{id}/stats", s.containerStats)
	handle("POST /v1/containers/{id}/update", s.containerUpdate)
	s.archiveRoutes(handle)

	handle("POST /v1/containers/{id}/exec", s.execCreate)
	handle("POST /v1/exec/{id}/start", s.execStart)
	handle("POST /v1/exec/{id}/resize", s.execResize)
	handle("GET /v1/exec/{id}", s.execInspect)

	handle("POST /v1/networks", s.networkCreate)
	handle("GET /v1/networks", s.networkList)
	handle("GET /v1/networks/{name}", s.networkInspect)
	handle("DELETE /v1/networks/{name}", s.networkRemove)
	handle("POST /v1/networks/{name}/connect", s.networkConnect)
	handle("POST /v1/networks/{name}/disconnect", s.networkDisconnect)
	handle("POST /v1/networks/prune", s.networkPrune)

	s.volumeRoutes(handle)

	m.Handle("/", s.fallback(m))
	return m
}
