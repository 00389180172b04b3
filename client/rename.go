package client

import (
	"context"
	"net/url"
)

// ContainerRename gives the container id (id, unique prefix or name) the
// name name.
func (c *Client) ContainerRename(ctx context.Context, id, name string) error {
	return c.post(ctx, "/containers/"+seg(id)+"/rename", url.Values{"name": {name}})
}
