package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/client"
)

// table writes aligned columns for people, as Docker does.
type table struct {
	tw *tabwriter.Writer
}

// newTable starts a table with the given column headers.
func newTable(w io.Writer, headers ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)}
	if len(headers) > 0 {
		t.row(toAny(headers)...)
	}
	return t
}

// row adds one row; each value is printed with %v.
func (t *table) row(cols ...any) {
	for i, c := range cols {
		if i > 0 {
			io.WriteString(t.tw, "\t")
		}
		fmt.Fprint(t.tw, c)
	}
	io.WriteString(t.tw, "\n")
}

// flush writes the table out.
func (t *table) flush() error { return t.tw.Flush() }

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// output is how a listing is printed: a table (""/"table"), JSON ("json")
// or a Go template applied to each item.
type output struct {
	format string
	tmpl   *template.Template
}

// parseOutput validates a --format value.
// fetch does what every command that prints one answer of the daemon
// starts with: it checks --format, connects, and asks with get (a method
// expression such as (*client.Client).Info).
func fetch[T any](c *cli, cmd *cobra.Command, format string, get func(*client.Client, context.Context) (T, error)) (output, T, error) {
	var zero T
	out, err := parseOutput(format)
	if err != nil {
		return out, zero, err
	}
	cl, err := c.client()
	if err != nil {
		return out, zero, err
	}
	v, err := get(cl, cmd.Context())
	return out, v, err
}

func parseOutput(format string) (output, error) {
	o := output{format: format}
	switch format {
	case "", "table", "json":
		return o, nil
	}
	t, err := template.New("format").Funcs(template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"join":  strings.Join,
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
	}).Parse(format)
	if err != nil {
		return o, fmt.Errorf("--format: %w", err)
	}
	o.tmpl = t
	return o, nil
}

// isTable reports whether the output is the human table.
func (o output) isTable() bool { return o.format == "" || o.format == "table" }

// item prints one item as a JSON line or through the template.
func (o output) item(w io.Writer, v any) error {
	if o.tmpl != nil {
		if err := o.tmpl.Execute(w, v); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	return writeJSONLine(w, v)
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// shortID is the 12-character form of an id, without its algorithm.
func shortID(id string) string {
	if _, hex, ok := strings.Cut(id, ":"); ok {
		id = hex
	}
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// humanSize prints a size in decimal units ("1.2MB"), as Docker does.
func humanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// ago prints how long ago t was ("2 minutes ago"); "" when t is unset.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return units.HumanDuration(now.Sub(t)) + " ago"
}

// timeArg turns a relative time ("10m", "1h30m": that long ago) into
// unix seconds for the daemon, which takes RFC 3339 or unix seconds;
// other values pass unchanged.
func timeArg(s string, now time.Time) string {
	d, err := time.ParseDuration(s)
	if err != nil || s == "0" {
		return s
	}
	return fmt.Sprintf("%.3f", float64(now.Add(-d).UnixMilli())/1000)
}

// quoteCommand prints a command the way ps does: quoted and truncated.
func quoteCommand(cmd []string, trunc bool) string {
	s := strings.Join(cmd, " ")
	if trunc && len(s) > 20 {
		s = s[:19] + "…"
	}
	return `"` + s + `"`
}

// splitName splits an image name "repo:tag" for the images table.
func splitName(name string) (repo, tag string) {
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i+1:], "/") {
		return name[:i], name[i+1:]
	}
	return name, "<none>"
}
