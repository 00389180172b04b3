package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"
	"unicode"

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

// output is how a listing is printed, as Docker's --format reads: the
// default table (""/"table"), JSON ("json": one object per line), a Go
// template applied to each item, or "table TEMPLATE": the template's
// columns aligned under upper-case headers.
type output struct {
	format string
	tmpl   *template.Template
	// table is set by the "table" directive before a template.
	table bool
}

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

// parseOutput validates a --format value. As Docker, "\t" and "\n"
// written literally in the template stand for a tab and a newline, and a
// template that does not parse is a usage error (exit 1).
func parseOutput(format string) (output, error) {
	o := output{format: format}
	switch format {
	case "", "table", "json":
		return o, nil
	}
	text := format
	if rest, ok := strings.CutPrefix(text, "table"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
		o.table = true
		text = rest
	}
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(strings.Trim(text, " "))
	t, err := template.New("").Funcs(templateFuncs()).Parse(text)
	if err != nil {
		return o, &usageError{err: fmt.Errorf("failed to parse template: %w", err), code: 1}
	}
	o.tmpl = t
	return o, nil
}

// isTable reports whether the output is the default human table.
func (o output) isTable() bool { return o.format == "" || o.format == "table" }

// item prints one item as a JSON line or through the template.
func (o output) item(w io.Writer, v any) error {
	if o.tmpl != nil {
		if err := o.tmpl.Execute(w, v); err != nil {
			return fmt.Errorf("failed to execute template: %w", err)
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
	return writeJSONLine(w, v)
}

// list prints items through the template or as JSON lines; with the
// table directive, the template's columns are aligned (as Docker's
// tabwriter: minimum width 10, padding 3) under the template applied to
// header, a value whose fields hold the column names.
func (o output) list(w io.Writer, header any, items []any) error {
	if !o.table {
		for _, v := range items {
			if err := o.item(w, v); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	for _, v := range append([]any{header}, items...) {
		if err := o.item(tw, v); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// templateFuncs returns the functions Docker's templates offer (made
// when a --format needs them, not at every start).
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"json": func(v any) (string, error) {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			return strings.TrimSpace(b.String()), nil
		},
		"join":  strings.Join,
		"split": strings.Split,
		"lower": strings.ToLower,
		"upper": strings.ToUpper,
		"title": titleCase,
		"pad": func(s string, prefix, suffix int) string {
			if s == "" {
				return s
			}
			return strings.Repeat(" ", prefix) + s + strings.Repeat(" ", suffix)
		},
		"truncate": func(s string, n int) string {
			if len(s) < n {
				return s
			}
			return s[:n]
		},
	}
}

// titleCase upper-cases the first letter of each word.
func titleCase(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		up := unicode.IsSpace(prev) || unicode.IsPunct(prev)
		prev = r
		if up {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
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

// quoteCommand prints a command the way ps does: joined with spaces,
// shortened to 20 characters with an ellipsis (trunc), and quoted by Go's
// rules, as Docker's {{.Command}}.
func quoteCommand(cmd []string, trunc bool) string {
	s := strings.Join(cmd, " ")
	if trunc {
		s = ellipsis(s, 20)
	}
	return strconv.Quote(s)
}

// ellipsis shortens s to n characters, the last one "…", when it is longer.
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// splitName splits an image name "repo:tag" for the images table.
func splitName(name string) (repo, tag string) {
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i+1:], "/") {
		return name[:i], name[i+1:]
	}
	return name, "<none>"
}
