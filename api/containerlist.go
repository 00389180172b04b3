package api

// ContainerListOptions are the query of GET /v1/containers: all=1,
// limit=N, size=1 and filters, a JSON object of Docker's filter keys to
// their values ({"status":["exited"],"label":["a=b"]}).
type ContainerListOptions struct {
	// All lists stopped containers too.
	All bool
	// Limit keeps the newest Limit containers of every state (ps -n,
	// ps -l); 0 is no limit.
	Limit int
	// Size measures each container's writable layer (SizeRw, SizeRootFs).
	Size bool
	// Filters are Docker's ps filters: name, label, status, ancestor, id,
	// network, exited, before, since. Values of one key are alternatives
	// (label's must all hold, as Docker's); different keys must all hold.
	Filters map[string][]string
}

// ImageListOptions are the query of GET /v1/images: all=1 and filters,
// as ContainerListOptions's.
type ImageListOptions struct {
	// All lists intermediate images too (images has no hidden ones
	// here: every stored image is listed either way).
	All bool
	// Filters are Docker's images filters: dangling (true|false),
	// reference (a glob on NAME:TAG or NAME), label (key or key=value),
	// before and since (an image). Values of one key are alternatives
	// (label's must all hold); different keys must all hold.
	Filters map[string][]string
}
