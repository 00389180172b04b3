package dockercli

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
)

// TestHealth: run --health-cmd sets Config.Healthcheck; the check runs and
// inspect shows State.Health; ps filters on health and shows it in the
// status; a failing check makes the container unhealthy.
func TestHealth(t *testing.T) {
	c := newCLI(t)
	c.ok(t, "run", "-d", "--name", "good", "--health-cmd", "test -e /tmp/ok", "--health-interval", "1s",
		"--health-retries", "1", "--health-start-period", "0s", "busybox", "sh", "-c", "touch /tmp/ok; sleep 300")
	c.ok(t, "run", "-d", "--name", "bad", "--health-cmd", "exit 1", "--health-interval", "1s", "--health-retries", "1",
		"busybox", "sleep", "300")
	if got := c.ok(t, "inspect", "-f", "{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Retries}}", "good"); got != `["CMD-SHELL","test -e /tmp/ok"] 1s 1`+"\n" {
		t.Errorf("inspect of the health check: %q", got)
	}
	status := func(name string) string {
		return strings.TrimSpace(c.ok(t, "inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", name))
	}
	if !testutil.Eventually(30*time.Second, func() bool { return status("good") == "healthy" && status("bad") == "unhealthy" }) {
		t.Fatalf("health after the checks: good %q, bad %q", status("good"), status("bad"))
	}
	if got := c.ok(t, "inspect", "-f", "{{(index .State.Health.Log 0).ExitCode}}", "bad"); got != "1\n" {
		t.Errorf("the failed check's exit code in State.Health.Log: %q", got)
	}
	if got := lines(c.ok(t, "ps", "--filter", "health=healthy", "--format", "{{.Names}} {{.Status}}")); len(got) != 1 ||
		!strings.HasPrefix(got[0], "good Up") || !strings.Contains(got[0], "(healthy)") {
		t.Errorf("ps --filter health=healthy: %q", got)
	}
	if got := lines(c.ok(t, "ps", "--filter", "health=unhealthy", "--format", "{{.Names}}")); len(got) != 1 || got[0] != "bad" {
		t.Errorf("ps --filter health=unhealthy: %q", got)
	}
	c.ok(t, "run", "-d", "--name", "none", "--no-healthcheck", "busybox", "sleep", "300")
	if got := lines(c.ok(t, "ps", "--filter", "health=none", "--format", "{{.Names}}")); len(got) != 1 || got[0] != "none" {
		t.Errorf("ps --filter health=none: %q", got)
	}
	// Health in the list: from API 1.52 (newer than the CLIs here), as
	// Docker; "none" without a check or once the container stopped.
	c.ok(t, "kill", "bad")
	want := map[string]string{"/good": `{"Status":"healthy","FailingStreak":0}`, "/none": `{"Status":"none","FailingStreak":0}`,
		"/bad": `{"Status":"none","FailingStreak":0}`}
	if got := listHealth(t, c, "1.52"); !maps.Equal(got, want) {
		t.Errorf("GET /v1.52/containers/json Health: %v, want %v", got, want)
	}
	if got := listHealth(t, c, "1.51"); !maps.Equal(got, map[string]string{"/good": "", "/none": "", "/bad": ""}) {
		t.Errorf("GET /v1.51/containers/json Health: %v, want none before 1.52", got)
	}
	c.ok(t, "rm", "-f", "good", "bad", "none")
}

// listHealth is each container's Health (raw JSON; "" when absent) in
// GET /containers/json?all=1 at API version.
func listHealth(t *testing.T, c *cli, version string) map[string]string {
	t.Helper()
	code, _, body := newAPIClient(t, c.d.Socket).do("GET", "/v"+version+"/containers/json?all=1", "")
	var list []struct {
		Names  []string
		Health json.RawMessage
	}
	if err := json.Unmarshal([]byte(body), &list); code != 200 || err != nil {
		t.Fatalf("GET /v%s/containers/json: %d %v %s", version, code, err, body)
	}
	out := map[string]string{}
	for _, e := range list {
		out[strings.Join(e.Names, ",")] = string(e.Health)
	}
	return out
}
