package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/container-runtime/container-runtime/api"
)

// TestHealthFlags checks Docker's health flags: nothing without them, a
// CMD-SHELL test from --health-cmd, NONE from --no-healthcheck, and
// Docker's errors.
func TestHealthFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    *api.HealthConfig
		wantErr string
	}{
		{nil, nil, ""},
		{[]string{"--health-cmd", "curl -f localhost"}, &api.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}}, ""},
		{[]string{"--health-cmd=true", "--health-interval=5s", "--health-timeout=1s", "--health-start-period=1m", "--health-start-interval=2s", "--health-retries=4"},
			&api.HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: 5 * time.Second, Timeout: time.Second,
				StartPeriod: time.Minute, StartInterval: 2 * time.Second, Retries: 4}, ""},
		{[]string{"--health-retries=2"}, &api.HealthConfig{Retries: 2}, ""},
		{[]string{"--no-healthcheck"}, &api.HealthConfig{Test: []string{"NONE"}}, ""},
		{[]string{"--no-healthcheck", "--health-retries=1"}, nil, "--no-healthcheck conflicts with --health-* options"},
		{[]string{"--health-interval=-1s"}, nil, "--health-interval cannot be negative"},
		{[]string{"--health-timeout=-1s"}, nil, "--health-timeout cannot be negative"},
		{[]string{"--health-start-period=-1s"}, nil, "--health-start-period cannot be negative"},
		{[]string{"--health-start-interval=-1s"}, nil, "--health-start-interval cannot be negative"},
		{[]string{"--health-retries=-1"}, nil, "--health-retries cannot be negative"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var h healthFlags
			fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
			h.addFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			got, err := h.config()
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
