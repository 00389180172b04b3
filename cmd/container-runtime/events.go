package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/client"
)

// eventsCommand is Docker's events.
func (c *cli) eventsCommand() *cobra.Command {
	var (
		o       client.EventsOptions
		format  string
		filters []string
	)
	cmd := &cobra.Command{
		Use:   "events [--since TIME] [--until TIME] [--filter type=container|image] [--filter container=NAME] [--format json]",
		Short: "Stream the daemon's events: create, start (pid), startup commands, die (exit code), destroy...",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := parseOutput(format)
			if err != nil {
				return err
			}
			for _, f := range filters {
				k, v, ok := strings.Cut(f, "=")
				switch {
				case !ok:
					return fmt.Errorf("invalid --filter %q: want KEY=VALUE", f)
				case k == "type":
					o.Type = v
				case k == "container" || k == "image" || k == "id":
					o.ID = v
				case k == "event":
					o.Event = v
				default:
					return fmt.Errorf("invalid --filter %q: keys are type, container, image, id and event", f)
				}
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			now := time.Now()
			o.Since, o.Until = timeArg(o.Since, now), timeArg(o.Until, now)
			ctx := cmd.Context()
			events, errs := cl.Events(ctx, o)
			for e := range events {
				if out.isTable() {
					err = printEvent(c.out, e)
				} else {
					err = out.item(c.out, newEventView(e))
				}
				if err != nil {
					return err
				}
			}
			err = <-errs
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Since, "since", "", "replay events since a time (RFC 3339, unix seconds, or a duration such as 10m)")
	fs.StringVar(&o.Until, "until", "", "stop at a time (same forms as --since)")
	fs.StringArrayVarP(&filters, "filter", "f", nil, "type=container|image, container=NAME, image=NAME, event=ACTION (event=health_status: every health status)")
	fs.StringVar(&format, "format", "", "text (default), json (one object per line) or a Go template ('{{.Action}} {{.Actor.Attributes.name}}')")
	return cmd
}

// eventView is an event as Docker's events --format sees it (moby's
// events.Message), with our extras (pid, exitCode, oomKilled,
// startupCommand) as additional fields.
type eventView struct {
	Status   string     `json:"status,omitempty"`
	ID       string     `json:"id,omitempty"`
	From     string     `json:"from,omitempty"`
	Type     string     `json:"Type"`
	Action   string     `json:"Action"`
	Actor    eventActor `json:"Actor"`
	Scope    string     `json:"scope"`
	Time     int64      `json:"time"`
	TimeNano int64      `json:"timeNano"`

	Pid            int                `json:"pid,omitempty"`
	ExitCode       *int               `json:"exitCode,omitempty"`
	OOMKilled      bool               `json:"oomKilled,omitempty"`
	StartupCommand *api.StartupResult `json:"startupCommand,omitempty"`
}

// eventActor is what an event is about: its id and attributes (name,
// image, exitCode, signal, ...).
type eventActor struct {
	ID         string
	Attributes map[string]string
}

func newEventView(e api.Event) eventView {
	v := eventView{
		ID: e.ID, Type: e.Type, Action: e.Action,
		Actor: eventActor{ID: e.ID, Attributes: eventAttributes(e)},
		Scope: "local", Time: e.Time.Unix(), TimeNano: e.Time.UnixNano(),
		Pid: e.Pid, ExitCode: e.ExitCode, OOMKilled: e.OOMKilled, StartupCommand: e.StartupCommand,
	}
	// Docker keeps the deprecated status, id and from for containers and
	// images only.
	switch e.Type {
	case "container":
		v.Status, v.From = e.Action, e.Image
	case "image":
		v.Status = e.Action
	default:
		v.ID = ""
	}
	return v
}

// eventAttributes are an event's attributes as Docker names them.
func eventAttributes(e api.Event) map[string]string {
	attrs := map[string]string{}
	maps.Copy(attrs, e.Attributes)
	if e.Name != "" {
		attrs["name"] = e.Name
	}
	if e.Image != "" {
		attrs["image"] = e.Image
	}
	if e.Pid > 0 {
		attrs["pid"] = fmt.Sprint(e.Pid)
	}
	if e.ExitCode != nil {
		attrs["exitCode"] = fmt.Sprint(*e.ExitCode)
	}
	if e.OOMKilled {
		attrs["oomKilled"] = "true"
	}
	if s := e.StartupCommand; s != nil {
		attrs["command"] = strings.Join(s.Args, " ")
		attrs["duration"] = s.Duration.String()
	}
	return attrs
}

// eventTime is the time format of Docker's events lines.
const eventTime = "2006-01-02T15:04:05.000000000Z07:00"

// printEvent prints an event as Docker does:
// TIME TYPE ACTION ID (key=value, ...).
func printEvent(w io.Writer, e api.Event) error {
	attrs := eventAttributes(e)
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		kv = append(kv, k+"="+attrs[k])
	}
	line := fmt.Sprintf("%s %s %s %s", e.Time.Local().Format(eventTime), e.Type, e.Action, e.ID)
	if len(kv) > 0 {
		line += " (" + strings.Join(kv, ", ") + ")"
	}
	_, err := fmt.Fprintln(w, line)
	return err
}
