package main

import (
	"context"
	"time"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/image"
)

// historyEntries is the history of the image ref, oldest first: each
// entry with the size of the layer it made (the image's layers are given
// in order to the entries that are not empty) and the image's id on the
// newest, "<missing>" on the others.
func historyEntries(ctx context.Context, store *image.Store, ref string) ([]api.HistoryEntry, error) {
	img, err := store.Image(ctx, ref)
	if err != nil {
		return nil, err
	}
	h := img.Config.History
	out := make([]api.HistoryEntry, 0, len(h))
	layer := 0
	for _, e := range h {
		var created time.Time
		if e.Created != nil {
			created = *e.Created
		}
		entry := api.HistoryEntry{Created: created, CreatedBy: e.CreatedBy, Comment: e.Comment, EmptyLayer: e.EmptyLayer, ID: "<missing>"}
		if !e.EmptyLayer && layer < len(img.Layers) {
			if l, err := store.Layer(ctx, img.Layers[layer]); err == nil {
				entry.Size = l.Size
			}
			layer++
		}
		out = append(out, entry)
	}
	if len(out) > 0 {
		out[len(out)-1].ID = img.ID.String()
	}
	return out, nil
}
