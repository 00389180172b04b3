package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// genManCommand writes a man page per command (container-runtime.1,
// container-runtime-run.1, ...) into DIR from the command tree; `make
// install` puts them in man1. Hidden: it is a build step, not a user's
// command.
//
// The pages are written as roff here rather than with cobra/doc: that
// package renders through a Markdown converter (go-md2man, blackfriday)
// and links a YAML encoder, four packages with init-time work that every
// invocation of the client paid for a step run once per install.
func (c *cli) genManCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "__gen-man DIR",
		Short:  "Write the man pages of every command into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return fmt.Errorf("creating the man page directory: %w", err)
			}
			date, err := manDate(c.getenv)
			if err != nil {
				return err
			}
			h := manHeader{title: "CONTAINER-RUNTIME", section: "1", date: date,
				source: "container-runtime " + versionString(), manual: "container-runtime manual"}
			if err := writeManTree(cmd.Root(), h, args[0]); err != nil {
				return fmt.Errorf("writing the man pages into %s: %w", args[0], err)
			}
			return nil
		},
	}
}

// manHeader is the .TH line shared by every page.
type manHeader struct {
	title, section, date, source, manual string
}

// manDate is the month of the pages: now, or $SOURCE_DATE_EPOCH's for
// reproducible builds.
func manDate(getenv func(string) string) (string, error) {
	now := time.Now()
	if epoch := getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return "", fmt.Errorf("invalid SOURCE_DATE_EPOCH %q: %w", epoch, err)
		}
		now = time.Unix(sec, 0)
	}
	return now.Format("Jan 2006"), nil
}

// manPaged reports whether cmd gets a page (and a SEE ALSO entry): not
// hidden, deprecated or a help topic.
func manPaged(cmd *cobra.Command) bool {
	return cmd.IsAvailableCommand() && !cmd.IsAdditionalHelpTopicCommand()
}

// writeManTree writes the page of cmd and of every command below it into
// dir, named after the command path joined with dashes.
func writeManTree(cmd *cobra.Command, h manHeader, dir string) error {
	for _, sub := range cmd.Commands() {
		if !manPaged(sub) {
			continue
		}
		if err := writeManTree(sub, h, dir); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(dir, dashed(cmd)+"."+h.section))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	writeManPage(w, cmd, h)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// dashed is the command path with dashes: container-runtime-image-ls.
func dashed(cmd *cobra.Command) string {
	return strings.ReplaceAll(cmd.CommandPath(), " ", "-")
}

// writeManPage writes the roff of one command's page: NAME, SYNOPSIS,
// DESCRIPTION, OPTIONS (own, then inherited), EXAMPLE and SEE ALSO.
func writeManPage(w *bufio.Writer, cmd *cobra.Command, h manHeader) {
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultHelpFlag()
	fmt.Fprintf(w, ".nh\n.TH %q %q %q %q %q\n\n", h.title, h.section, h.date, h.source, h.manual)
	fmt.Fprintf(w, ".SH NAME\n%s - %s\n\n", dashed(cmd), roffText(cmd.Short))
	fmt.Fprintf(w, ".SH SYNOPSIS\n\\fB%s\\fP\n\n", roffText(cmd.UseLine()))
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	w.WriteString(".SH DESCRIPTION\n")
	writeManProse(w, desc)
	if flags := cmd.NonInheritedFlags(); flags.HasAvailableFlags() {
		w.WriteString(".SH OPTIONS\n")
		writeManFlags(w, flags)
	}
	if flags := cmd.InheritedFlags(); flags.HasAvailableFlags() {
		w.WriteString(".SH OPTIONS INHERITED FROM PARENT COMMANDS\n")
		writeManFlags(w, flags)
	}
	if cmd.Example != "" {
		fmt.Fprintf(w, ".SH EXAMPLE\n.EX\n%s\n.EE\n\n", roffLines(cmd.Example))
	}
	var see []string
	if cmd.HasParent() {
		see = append(see, fmt.Sprintf("\\fB%s(%s)\\fP", dashed(cmd.Parent()), h.section))
	}
	subs := append([]*cobra.Command(nil), cmd.Commands()...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
	for _, sub := range subs {
		if manPaged(sub) {
			see = append(see, fmt.Sprintf("\\fB%s(%s)\\fP", dashed(sub), h.section))
		}
	}
	if len(see) > 0 {
		fmt.Fprintf(w, ".SH SEE ALSO\n%s\n", strings.Join(see, ", "))
	}
}

// writeManFlags writes one entry per visible flag, as cobra's generator
// did: "-s, --name=DEFAULT" (the default quoted for strings, in brackets
// for flags that take an optional value), then the usage indented.
func writeManFlags(w *bufio.Writer, flags *pflag.FlagSet) {
	first := true
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Deprecated != "" || f.Hidden {
			return
		}
		if !first {
			w.WriteString(".PP\n")
		}
		first = false
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			fmt.Fprintf(w, "\\fB-%s\\fP, ", f.Shorthand)
		}
		fmt.Fprintf(w, "\\fB--%s\\fP", f.Name)
		def := f.DefValue
		if f.Value.Type() == "string" {
			def = strconv.Quote(def)
		}
		if f.NoOptDefVal != "" {
			fmt.Fprintf(w, "[=%s]", roffText(def))
		} else {
			fmt.Fprintf(w, "=%s", roffText(def))
		}
		fmt.Fprintf(w, "\n\t%s\n\n", roffText(f.Usage))
	})
	w.WriteString("\n")
}

// writeManProse writes a help text: paragraphs (blank-line separated)
// become .PP, tab-indented lines an example block, and "#### Title" a
// subsection (the forms cobra's completion commands use in their help).
func writeManProse(w *bufio.Writer, text string) {
	for i, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			w.WriteString(".PP\n")
		}
		inExample := false
		for _, line := range strings.Split(para, "\n") {
			code, isCode := strings.CutPrefix(line, "\t")
			if isCode != inExample {
				if isCode {
					w.WriteString(".EX\n")
				} else {
					w.WriteString(".EE\n")
				}
				inExample = isCode
			}
			switch title, isTitle := strings.CutPrefix(line, "#### "); {
			case isCode:
				w.WriteString(roffLines(code) + "\n")
			case isTitle:
				w.WriteString(".SS " + roffText(title) + "\n")
			default:
				w.WriteString(roffLines(line) + "\n")
			}
		}
		if inExample {
			w.WriteString(".EE\n")
		}
		w.WriteString("\n")
	}
	w.WriteString("\n")
}

// roffText escapes a backslash, roff's escape character.
func roffText(s string) string {
	return strings.ReplaceAll(s, `\`, `\e`)
}

// roffLines escapes s for roff line by line: backslashes, and a leading
// '.' or an apostrophe that would make a line a request.
func roffLines(s string) string {
	lines := strings.Split(roffText(s), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
