package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// filterFlag is Docker's --filter (-f): repeated KEY=VALUE pairs, kept
// by key. The daemon validates the keys and values.
type filterFlag map[string][]string

func (f *filterFlag) String() string {
	var parts []string
	for k, vs := range *f {
		for _, v := range vs {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ",")
}

func (f *filterFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.ToLower(strings.TrimSpace(k))
	if !ok || k == "" {
		return errors.New("bad format of filter (expected name=value)")
	}
	if *f == nil {
		*f = filterFlag{}
	}
	(*f)[k] = append((*f)[k], v)
	return nil
}

func (f *filterFlag) Type() string { return "filter" }

// containerSize is Docker's SIZE column: the writable layer's size, and
// with the image's "2B (virtual 1.24MB)".
func containerSize(s api.ContainerSummary) string {
	rw := humanSize(s.SizeRw)
	if s.SizeRootFs > 0 {
		return fmt.Sprintf("%s (virtual %s)", rw, humanSize(s.SizeRootFs))
	}
	return rw
}

// psSizedTable is ps -s: psTable's columns and Docker's SIZE last.
func psSizedTable(w io.Writer, list []api.ContainerSummary, trunc bool) error {
	now := time.Now()
	t := newTable(w, "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NETWORK", "NAMES", "SIZE")
	for _, s := range list {
		id := s.ID
		if trunc {
			id = shortID(id)
		}
		t.row(id, s.Image, quoteCommand(s.Command, trunc), ago(now, s.Created), status(s), displayPorts(s.Ports), s.Network, s.Name, containerSize(s))
	}
	return t.flush()
}
