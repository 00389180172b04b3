package main

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

// TestLimitFlags: the flags become the request's fields, and bad syntax
// is refused with Docker's CLI messages.
func TestLimitFlags(t *testing.T) {
	parse := func(args ...string) (api.Resources, error) {
		var f containerFlags
		fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
		f.addFlags(fs)
		if err := fs.Parse(args); err != nil {
			return api.Resources{}, err
		}
		req, err := f.create("busybox", nil, func(string) string { return "" })
		return req.Resources, err
	}
	r, err := parse("-m", "64m", "--memory-swap", "-1", "--memory-reservation", "32m", "--memory-swappiness", "0",
		"--oom-kill-disable", "--oom-score-adj", "-500", "--cpu-period", "50000", "--cpu-quota", "25000",
		"--cpuset-mems", "0", "--blkio-weight", "300", "--device-read-bps", "/dev/vda:1mb",
		"--device-write-bps", "/dev/vda:2m", "--device-read-iops", "/dev/vda:100", "--device-write-iops", "/dev/vda:200")
	if err != nil {
		t.Fatal(err)
	}
	if r.MemorySwap != -1 || r.MemoryReservation != 32<<20 || r.MemorySwappiness == nil || *r.MemorySwappiness != 0 ||
		!r.OomKillDisable || r.OomScoreAdj != -500 || r.CPUPeriod != 50000 || r.CPUQuota != 25000 || r.CpusetMems != "0" ||
		r.BlkioWeight != 300 || r.BlkioDeviceReadBps[0] != (api.ThrottleDevice{Path: "/dev/vda", Rate: 1 << 20}) ||
		r.BlkioDeviceWriteBps[0].Rate != 2<<20 || r.BlkioDeviceReadIOps[0].Rate != 100 || r.BlkioDeviceWriteIOps[0].Rate != 200 {
		t.Errorf("resources: %+v", r)
	}
	if r, err := parse("--memory-swap", "1g"); err != nil || r.MemorySwap != 1<<30 || r.MemorySwappiness != nil {
		t.Errorf("--memory-swap 1g: %+v, %v", r, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--memory-swap", "lots"}, `invalid --memory-swap "lots"`},
		{[]string{"--memory-reservation", "-1"}, `invalid --memory-reservation "-1"`},
		{[]string{"--device-read-bps", "/dev/vda"}, "bad format: /dev/vda"},
		{[]string{"--device-read-bps", "vda:1mb"}, "bad format for device path: vda:1mb"},
		{[]string{"--device-write-bps", "/dev/vda:fast"}, "invalid rate for device: /dev/vda:fast. The correct format is <device-path>:<number>[<unit>]"},
		{[]string{"--device-read-iops", "/dev/vda:1k"}, "invalid rate for device: /dev/vda:1k. The correct format is <device-path>:<number>. Number"},
	} {
		if _, err := parse(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.want)
		}
	}
}

// FuzzParseThrottle: no value panics the parser, and what it accepts is a
// path under /dev/.
func FuzzParseThrottle(f *testing.F) {
	for _, s := range []string{"/dev/vda:1mb", "/dev/vda:100", ":", "/dev/:", "/dev/a:-1", "/dev/a:1:2", "x"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, iops bool) {
		d, err := parseThrottle(s, iops)
		if err == nil && (!strings.HasPrefix(d.Path, "/dev/") || strings.Contains(d.Path, ":")) {
			t.Fatalf("parseThrottle(%q) accepted %+v", s, d)
		}
	})
}
