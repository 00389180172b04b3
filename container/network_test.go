package container

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestBuiltinNetworksEtcFiles: host and none (a Service without a network
// manager) have the network package write the container's /etc files,
// where the spec binds them, and set the network namespace.
func TestBuiltinNetworksEtcFiles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		nw        Network
		wantNetns bool
		wantHosts []string
	}{
		{"host", hostNetwork{}, false, []string{"127.0.1.1\tbox\n"}},
		{"none", noNetwork{}, true, []string{"127.0.0.1\tlocalhost\n", "ff02::2\tip6-allrouters\n", "127.0.1.1\tbox\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			spec := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace}, {Type: specs.PIDNamespace}}}}
			c := NetworkContainer{ID: "0123456789abcdef", Name: "n", Hostname: "box", Network: tc.name, Dir: dir}
			if err := tc.nw.Configure(context.Background(), c, spec); err != nil {
				t.Fatal(err)
			}
			hasNetns := slices.ContainsFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace })
			if hasNetns != tc.wantNetns {
				t.Errorf("network namespace in the spec: %v, want %v", hasNetns, tc.wantNetns)
			}
			paths := etcPaths(dir)
			for _, name := range etcNames {
				if filepath.Dir(paths[name]) != dir {
					t.Errorf("%s is bound from %s, not from the container's directory", name, paths[name])
				}
			}
			if b, err := os.ReadFile(paths["hostname"]); err != nil || string(b) != "box\n" {
				t.Errorf("hostname = %q, %v", b, err)
			}
			hosts, err := os.ReadFile(paths["hosts"])
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.wantHosts {
				if !strings.Contains(string(hosts), want) {
					t.Errorf("no %q in hosts:\n%s", want, hosts)
				}
			}
			if _, err := os.Stat(paths["resolv.conf"]); err != nil {
				t.Errorf("resolv.conf: %v", err)
			}
		})
	}
}
