package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// historyRow is one entry of an image's history as Docker's history
// templates see it.
type historyRow struct {
	ID           string
	CreatedSince string
	CreatedAt    string
	CreatedBy    string
	Size         string
	Comment      string
}

// historyHeader are the column names of history's table directive.
var historyHeader = headerRow{
	"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
	"CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT",
}

// imageHistoryCommand is Docker's image history (and history): newest
// first, IMAGE CREATED CREATED BY SIZE COMMENT.
func (c *cli) imageHistoryCommand() *cobra.Command {
	var (
		format         string
		noTrunc, quiet bool
		human          bool
	)
	cmd := &cobra.Command{
		Use:               "history [--human=false] [--no-trunc] [-q] [--format TEMPLATE] IMAGE",
		Short:             "Show how an image was made, step by step (newest first)",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: c.completeImages,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, hist, err := fetch(c, cmd, format, func(cl *client.Client, ctx context.Context) ([]api.HistoryEntry, error) {
				return cl.ImageHistory(ctx, args[0])
			})
			if err != nil {
				return err
			}
			slices.Reverse(hist)
			rows := historyRows(hist, !noTrunc, human, time.Now())
			switch {
			case quiet:
				for _, r := range rows {
					fmt.Fprintln(c.out, r.ID)
				}
				return nil
			case out.isTable():
				t := newTable(c.out, "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT")
				for _, r := range rows {
					t.row(r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment)
				}
				return t.flush()
			case format == "json":
				for _, h := range hist {
					if err := out.item(c.out, h); err != nil {
						return err
					}
				}
				return nil
			}
			items := make([]any, len(rows))
			for i, r := range rows {
				items[i] = r
			}
			return out.list(c.out, historyHeader, items)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&format, "format", "", "table (default), json, a Go template ('{{.ID}} {{.CreatedBy}}') or 'table TEMPLATE'")
	fs.BoolVar(&noTrunc, "no-trunc", false, "do not shorten ids and steps")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print only the ids")
	// Docker's short -H is this CLI's global -H (--host), as in
	// `container-runtime -H tcp://... history`: only the long form here.
	fs.BoolVar(&human, "human", true, "sizes and dates in human-readable form (--human=false: bytes and RFC 3339)")
	return cmd
}

// historyRows renders entries (newest first) as Docker does: short ids
// and steps cut at 45 characters unless !trunc; with !human, sizes in
// bytes and dates in RFC 3339.
func historyRows(hist []api.HistoryEntry, trunc, human bool, now time.Time) []historyRow {
	rows := make([]historyRow, len(hist))
	for i, h := range hist {
		id := h.ID
		if id == "" {
			id = "<missing>"
		}
		by := createdBy(h.CreatedBy)
		if trunc {
			if id != "<missing>" {
				id = shortID(id)
			}
			if len(by) > 45 {
				by = by[:44] + "…"
			}
		}
		r := historyRow{ID: id, CreatedBy: by, Comment: h.Comment}
		if human {
			r.CreatedSince, r.Size = ago(now, h.Created), humanSize(h.Size)
		} else {
			r.CreatedSince, r.Size = rfc3339(h.Created), strconv.FormatInt(h.Size, 10)
		}
		r.CreatedAt = rfc3339(h.Created)
		rows[i] = r
	}
	return rows
}

// createdBy renders a history step as BuildKit records it: the
// instruction with its command line as written ("RUN /bin/sh -c make"),
// where this builder records the argv as JSON ("RUN [\"/bin/sh\",...]").
func createdBy(s string) string {
	rest, ok := strings.CutPrefix(s, "RUN [")
	if !ok {
		return s
	}
	var argv []string
	if err := json.Unmarshal([]byte("["+rest), &argv); err != nil {
		return s
	}
	return "RUN " + strings.Join(argv, " ")
}

// rfc3339 prints t as Docker's non-human history does ("" when unknown).
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
