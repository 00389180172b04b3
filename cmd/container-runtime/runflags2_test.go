package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

func TestParseUlimits(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		want    []api.Ulimit
		wantErr string
	}{
		{in: []string{"nofile=512:1024"}, want: []api.Ulimit{{Name: "nofile", Soft: 512, Hard: 1024}}},
		{in: []string{"nproc=77"}, want: []api.Ulimit{{Name: "nproc", Soft: 77, Hard: 77}}},
		{in: []string{"core=unlimited"}, want: []api.Ulimit{{Name: "core", Soft: -1, Hard: -1}}},
		{in: []string{"core=0:-1"}, want: []api.Ulimit{{Name: "core", Soft: 0, Hard: -1}}},
		{in: []string{"nofile=1", "nproc=2", "nofile=3"}, want: []api.Ulimit{{Name: "nofile", Soft: 3, Hard: 3}, {Name: "nproc", Soft: 2, Hard: 2}}},
		{in: []string{"nofile"}, wantErr: "want NAME=SOFT[:HARD]"},
		{in: []string{"=1"}, wantErr: "want NAME=SOFT[:HARD]"},
		{in: []string{"nofile="}, wantErr: "want NAME=SOFT[:HARD]"},
		{in: []string{"nofile=a"}, wantErr: "soft limit"},
		{in: []string{"nofile=1:b"}, wantErr: "hard limit"},
		{in: []string{"nofile=-2"}, wantErr: "soft limit"},
		{in: []string{"nofile=20:10"}, wantErr: "soft limit must be less than or equal to hard limit"},
		{in: []string{"nofile=-1:10"}, wantErr: "soft limit must be less than or equal to hard limit"},
	} {
		got, err := parseUlimits(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseUlimits(%q): want error %q, got %v, %v", tc.in, tc.wantErr, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseUlimits(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSysctls(t *testing.T) {
	got, err := parseSysctls([]string{"net.ipv4.ip_forward=1", "kernel.sem=250 32000 100 128", "net.x="})
	want := map[string]string{"net.ipv4.ip_forward": "1", "kernel.sem": "250 32000 100 128", "net.x": ""}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseSysctls = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"net.ipv4.ip_forward", "=1", " =1"} {
		if _, err := parseSysctls([]string{bad}); err == nil {
			t.Errorf("parseSysctls(%q): want an error", bad)
		}
	}
}

func TestParseDevice(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    api.DeviceMapping
		wantErr string
	}{
		{in: "/dev/sda", want: api.DeviceMapping{PathOnHost: "/dev/sda", PathInContainer: "/dev/sda", CgroupPermissions: "rwm"}},
		{in: "/dev/sda:/dev/xvdc", want: api.DeviceMapping{PathOnHost: "/dev/sda", PathInContainer: "/dev/xvdc", CgroupPermissions: "rwm"}},
		{in: "/dev/sda:r", want: api.DeviceMapping{PathOnHost: "/dev/sda", PathInContainer: "/dev/sda", CgroupPermissions: "r"}},
		{in: "/dev/sda:/dev/xvdc:rw", want: api.DeviceMapping{PathOnHost: "/dev/sda", PathInContainer: "/dev/xvdc", CgroupPermissions: "rw"}},
		{in: "/dev/sda:/dev/xvdc:rwx", wantErr: "invalid device mode"},
		{in: "/dev/sda:/dev/xvdc:rr", wantErr: "invalid device mode"},
		{in: "/dev/sda:/dev/xvdc:", wantErr: "invalid device mode"},
		{in: "/dev/sda:xvdc", wantErr: "container path must be absolute"},
		{in: "sda", wantErr: "host path must be absolute"},
		{in: "/a:/b:r:x", wantErr: "invalid device specification"},
	} {
		got, err := parseDevice(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseDevice(%q): want error %q, got %v, %v", tc.in, tc.wantErr, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseDevice(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestHostFlagsApply(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels")
	if err := os.WriteFile(labels, []byte("# comment\n\n  a=1\nb=file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var f containerFlags
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	f.addFlags(fs)
	err := fs.Parse([]string{"--shm-size", "128m", "--group-add", "audio", "--group-add", "5", "--pid", "host",
		"--ipc", "shareable", "--uts", "host", "--platform", "linux/amd64", "--log-driver", "none",
		"--label-file", labels, "--label", "b=flag", "--ulimit", "nofile=1:2", "--sysctl", "net.a=b",
		"--device", "/dev/null:/dev/n:r"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.create("img", nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := api.ContainerCreate{
		Image: "img", ShmSize: 128 << 20, GroupAdd: []string{"audio", "5"}, PidMode: "host", IpcMode: "shareable",
		UTSMode: "host", Platform: "linux/amd64", LogDriver: "none", Labels: map[string]string{"a": "1", "b": "flag"},
		Ulimits: []api.Ulimit{{Name: "nofile", Soft: 1, Hard: 2}}, Sysctls: map[string]string{"net.a": "b"},
		Devices:       []api.DeviceMapping{{PathOnHost: "/dev/null", PathInContainer: "/dev/n", CgroupPermissions: "r"}},
		RestartPolicy: api.RestartPolicy{Name: "no"},
	}
	if !reflect.DeepEqual(req, want) {
		t.Errorf("request:\n got %+v\nwant %+v", req, want)
	}
	for _, bad := range [][]string{{"--shm-size", "x"}, {"--label-file", filepath.Join(dir, "none")}} {
		var f containerFlags
		fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
		f.addFlags(fs)
		if err := fs.Parse(bad); err != nil {
			t.Fatal(err)
		}
		if _, err := f.create("img", nil, func(string) string { return "" }); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestCidfile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cid")
	h := hostFlags{cidfile: file}
	c, err := h.openCidfile()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.openCidfile(); err == nil || !strings.Contains(err.Error(), "container ID file found") {
		t.Errorf("a second reservation: want Docker's refusal, got %v", err)
	}
	c.close() // nothing written: removed
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("an unwritten cidfile stays: %v", err)
	}
	c, err = h.openCidfile()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.write("abc"); err != nil {
		t.Fatal(err)
	}
	c.close()
	if b, err := os.ReadFile(file); err != nil || string(b) != "abc" {
		t.Errorf("cidfile: %q, %v", b, err)
	}
}
