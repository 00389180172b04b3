package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/errdefs"
)

// parseUpdate parses an update command line (flags only) as the command
// does.
func parseUpdate(t *testing.T, stdin string, args ...string) (*specs.LinuxResources, error) {
	t.Helper()
	u := &updateFlags{}
	f := pflag.NewFlagSet("update", pflag.ContinueOnError)
	u.register(f)
	if err := f.Parse(args); err != nil {
		t.Fatalf("parsing %v: %v", args, err)
	}
	return u.read(strings.NewReader(stdin))
}

func TestUpdateFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(file, []byte(`{"pids": {"limit": 7}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // the update as JSON
	}{
		{"memory units are runc's (binary)", []string{"--memory", "128m", "--memory-swap", "256M", "--memory-reservation", "1g"},
			`{"memory":{"limit":134217728,"reservation":1073741824,"swap":268435456},"cpu":{},"pids":{},"blockIO":{}}`},
		{"-1 lifts memory and swap", []string{"--memory", "-1", "--memory-swap", "-1"},
			`{"memory":{"limit":-1,"swap":-1},"cpu":{},"pids":{},"blockIO":{}}`},
		{"cpu", []string{"--cpu-quota", "-1", "--cpu-period", "100000", "--cpu-share", "512", "--cpu-rt-period", "1000000",
			"--cpu-rt-runtime", "950000", "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--cpu-idle", "1"},
			`{"memory":{},"cpu":{"shares":512,"quota":-1,"period":100000,"realtimeRuntime":950000,"realtimePeriod":1000000,"cpus":"0-1","mems":"0","idle":1},"pids":{},"blockIO":{}}`},
		{"--cpu-shares is --cpu-share", []string{"--cpu-shares", "256"},
			`{"memory":{},"cpu":{"shares":256},"pids":{},"blockIO":{}}`},
		{"pids and blkio", []string{"--pids-limit", "10", "--blkio-weight", "300"},
			`{"memory":{},"cpu":{},"pids":{"limit":10},"blockIO":{"weight":300}}`},
		{"-r FILE", []string{"-r", file}, `{"pids":{"limit":7}}`},
		{"-r - reads stdin", []string{"--resources", "-"}, `{"memory":{"swap":268435456}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := parseUpdate(t, `{"memory": {"swap": 268435456}}`, tc.args...)
			if err != nil {
				t.Fatalf("%v: %v", tc.args, err)
			}
			got, _ := json.Marshal(res)
			if string(got) != tc.want {
				t.Errorf("%v:\n got  %s\n want %s", tc.args, got, tc.want)
			}
		})
	}
}

func TestUpdateFlagsRefused(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing to update", nil, "needs a limit flag"},
		{"kernel memory", []string{"--kernel-memory", "10m"}, "--kernel-memory: kernel memory limits are obsolete"},
		{"kernel TCP memory", []string{"--kernel-memory-tcp", "1m"}, "--kernel-memory-tcp"},
		{"RDT", []string{"--l3-cache-schema", "L3:0=f"}, "Intel RDT"},
		{"-r with flags", []string{"-r", "-", "--memory", "1g", "--pids-limit", "3"}, "--resources cannot be combined with [--memory --pids-limit]"},
		{"bad size", []string{"--memory", "lots"}, `--memory "lots"`},
		{"bad quota", []string{"--cpu-quota", "1.5"}, `--cpu-quota "1.5"`},
		{"negative shares", []string{"--cpu-share", "-2"}, `--cpu-share "-2"`},
		{"blkio weight beyond 16 bits", []string{"--blkio-weight", "70000"}, `--blkio-weight "70000"`},
		{"bad JSON", []string{"-r", "-"}, "--resources -"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseUpdate(t, "{", tc.args...)
			if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: %v, want an invalid-argument error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

// An update of a container that does not exist says so in the words
// containerd's shim looks for, after the flags were checked.
func TestUpdateMissingContainer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--root", filepath.Join(t.TempDir(), "state"), "update", "--memory", "64m", "nope"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `container "nope" does not exist`) {
		t.Errorf("exit %d, stderr %q; want 1 and does not exist", code, stderr.String())
	}
}
