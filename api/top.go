package api

// ContainerTop answers GET /v1/containers/{id}/top: ps's header and one
// row per process of the container, as Docker's ContainerTopOKBody.
type ContainerTop struct {
	Titles    []string   `json:"Titles"`
	Processes [][]string `json:"Processes"`
}
