package main

import (
	"log/slog"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// dropUnraisableAmbient applies a leniency of runc 1.1 that bundles made
// for runc rely on: an ambient capability the kernel cannot raise, because
// it is not also in the permitted and inheritable sets, is dropped with a
// warning instead of failing the container. `runc spec` itself writes such
// a config: its ambient set is not inheritable since CVE-2022-29162. runc
// tries the raise, the kernel refuses, runc warns and goes on; the process
// runs with an empty ambient set either way.
//
// It is done here, before create, because the runtime applies the sets in
// the container process after start, where a failure can only kill the
// container.
func dropUnraisableAmbient(p *specs.Process, log *slog.Logger) {
	if p == nil || p.Capabilities == nil || len(p.Capabilities.Ambient) == 0 {
		return
	}
	c := p.Capabilities
	var kept, dropped []string
	for _, name := range c.Ambient {
		if slices.Contains(c.Permitted, name) && slices.Contains(c.Inheritable, name) {
			kept = append(kept, name)
		} else {
			dropped = append(dropped, name)
		}
	}
	if len(dropped) == 0 {
		return
	}
	log.Warn("ambient capabilities not also permitted and inheritable cannot be raised; ignored, as runc does",
		"capabilities", dropped)
	c.Ambient = kept
}
