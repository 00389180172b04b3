package main

import (
	"fmt"
	"strings"

	"github.com/container-runtime/container-runtime/api"
)

// networkFilter is Docker's `network ls --filter`: values of one key are
// alternatives, keys must all hold.
type networkFilter map[string][]string

// builtinNetworks are the networks every daemon has (type=builtin).
var builtinNetworks = map[string]bool{"bridge": true, "host": true, "none": true}

// parseNetworkFilter reads KEY=VALUE filters with Docker's keys for
// networks: driver, id (a prefix), label (KEY or KEY=VALUE), name (a
// part of the name), scope (local) and type (custom or builtin).
func parseNetworkFilter(args []string) (networkFilter, error) {
	f := networkFilter{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("bad format of filter (expected name=value): %s", a)
		}
		switch k {
		case "driver", "id", "label", "name":
		case "scope":
			if v != "local" && v != "global" && v != "swarm" {
				return nil, fmt.Errorf("invalid filter 'scope=%s'", v)
			}
		case "type":
			if v != "custom" && v != "builtin" {
				return nil, fmt.Errorf("invalid filter: 'type'='%s'", v)
			}
		default:
			return nil, fmt.Errorf("invalid filter '%s'", k)
		}
		f[k] = append(f[k], v)
	}
	return f, nil
}

// match reports whether n passes every key of f.
func (f networkFilter) match(n api.Network) bool {
	anyOf := func(key string, ok func(v string) bool) bool {
		vs, set := f[key]
		if !set {
			return true
		}
		for _, v := range vs {
			if ok(v) {
				return true
			}
		}
		return false
	}
	return anyOf("driver", func(v string) bool { return v == n.Driver }) &&
		anyOf("id", func(v string) bool { return strings.HasPrefix(n.ID, v) }) &&
		anyOf("name", func(v string) bool { return strings.Contains(n.Name, v) }) &&
		anyOf("scope", func(v string) bool { return v == "local" }) &&
		anyOf("type", func(v string) bool { return (v == "builtin") == builtinNetworks[n.Name] }) &&
		allLabels(f["label"], n.Labels)
}

// allLabels reports whether labels has every KEY or KEY=VALUE of want.
func allLabels(want []string, labels map[string]string) bool {
	for _, w := range want {
		k, v, withValue := strings.Cut(w, "=")
		got, ok := labels[k]
		if !ok || withValue && got != v {
			return false
		}
	}
	return true
}
