package main

import (
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
)

// imagesFlags are images' -a, --digests and --filter.
type imagesFlags struct {
	all, digests bool
	filter       filterFlag
}

func (f *imagesFlags) add(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.BoolVarP(&f.all, "all", "a", false, "show all images (intermediate images are never hidden here)")
	fs.BoolVar(&f.digests, "digests", false, "show digests")
	fs.VarP(&f.filter, "filter", "f", "filter by dangling=true|false, reference=PATTERN, label, before or since (KEY=VALUE, repeatable)")
}

// options are the list query: images REPOSITORY[:TAG] is a reference
// filter, as in Docker.
func (f *imagesFlags) options(args []string) api.ImageListOptions {
	filters := map[string][]string{}
	for k, v := range f.filter {
		filters[k] = append(filters[k], v...)
	}
	if len(args) == 1 {
		filters["reference"] = append(filters["reference"], args[0])
	}
	return api.ImageListOptions{All: f.all, Filters: filters}
}

// imagesDigestTable is images --digests: a DIGEST column after TAG,
// "<none>" for images without a registry digest (all of them here: the
// store keeps no repository digests).
func imagesDigestTable(w io.Writer, list []api.ImageSummary, trunc bool) error {
	now := time.Now()
	t := newTable(w, "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
	for _, im := range list {
		for _, r := range imageRows(im, trunc, now) {
			t.row(r.Repository, r.Tag, r.Digest, r.ID, r.CreatedSince, r.Size)
		}
	}
	return t.flush()
}
