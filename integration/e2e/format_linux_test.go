package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/internal/testutil"
	"github.com/container-runtime/container-runtime/internal/testutil/daemon"
)

// TestDockerFormats runs the --format templates Docker users' scripts use,
// through the real daemon, and compares each output with what Docker's
// documentation shows for the same container (exact strings where the
// value is deterministic, Docker's pattern where it is a time).
func TestDockerFormats(t *testing.T) {
	testutil.RequireRoot(t)
	d := daemon.New(t)
	img := d.Busybox(t)
	events := d.Background(t, "events", "--since", "1m", "--format",
		"{{.Type}} {{.Status}} {{.Action}} {{.ID}} {{.Actor.Attributes.name}}")

	data := filepath.Join(d.Dir, "formats-volume-directory")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(d.OK(t, "run", "-d", "--name", "fmt1", "-p", "127.0.0.1:18481:80", "-p", "127.0.0.1:18482:81",
		"--label", "tier=front", "--label", "app=shop", "-v", data+":/data", "--restart", "on-failure:2",
		img, "sh", "-c", "while true; do sleep 1; done"))
	ci := d.Inspect(t, "fmt1")

	ps := func(format string) string { return d.OK(t, "ps", "--format", format) }
	// Docker shortens each mount's source to 15 characters, "…" last.
	mounts := data
	if r := []rune(data); len(r) > 15 {
		mounts = string(r[:14]) + "…"
	}
	cases := []struct {
		format string
		want   string // exact output, or a pattern when it starts with ^
	}{
		{`{{.Names}}\t{{.Status}}`, `^fmt1\tUp (Less than a second|[0-9]+ seconds?)\n$`},
		{"{{.ID}}", id[:12] + "\n"},
		{"{{.Image}}", "busybox\n"},
		{"{{.Command}}", `"sh -c while true; d…"` + "\n"},
		{"{{.Ports}}", "127.0.0.1:18481-18482->80-81/tcp\n"},
		{"{{.State}}", "running\n"},
		{"{{.Labels}}", "app=shop,tier=front\n"},
		{`{{.Label "tier"}}`, "front\n"},
		{"{{.Networks}}", "bridge\n"},
		{"{{.Size}}", "0B\n"},
		{"{{.Mounts}}", mounts + "\n"},
		{"{{.CreatedAt}}", `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+\n$`},
		{"{{.RunningFor}}", `^(Less than a second|[0-9]+ seconds?) ago\n$`},
		{`table {{.ID}}\t{{.Names}}`, "CONTAINER ID   NAMES\n" + id[:12] + "   fmt1\n"},
		{`{{json .Names}} {{upper .State}} {{join (split .Names "t") "+"}}`, `"fmt1" RUNNING fm+1` + "\n"},
	}
	for _, tc := range cases {
		t.Run("ps "+tc.format, func(t *testing.T) {
			got := ps(tc.format)
			if strings.HasPrefix(tc.want, "^") {
				if !regexp.MustCompile(tc.want).MatchString(got) {
					t.Errorf("ps --format %q printed %q, want %s", tc.format, got, tc.want)
				}
			} else if got != tc.want {
				t.Errorf("ps --format %q printed %q, want %q", tc.format, got, tc.want)
			}
		})
	}

	t.Run("ps --format json", func(t *testing.T) {
		var row map[string]string
		out := ps("json")
		if err := json.Unmarshal([]byte(out), &row); err != nil {
			t.Fatalf("ps --format json printed %q: %v", out, err)
		}
		for _, k := range []string{"Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names", "Networks", "Ports", "RunningFor", "Size", "State", "Status"} {
			if _, ok := row[k]; !ok {
				t.Errorf("ps --format json lacks Docker's %s: %s", k, out)
			}
		}
		if row["ID"] != id[:12] || row["Names"] != "fmt1" || row["Ports"] != "127.0.0.1:18481-18482->80-81/tcp" {
			t.Errorf("ps --format json: %s", out)
		}
	})

	t.Run("inspect -f", func(t *testing.T) {
		if ci.IPAddress == "" || ci.StateDetail.Pid <= 0 {
			t.Fatalf("fmt1 has no address or pid: %+v", ci)
		}
		got := d.OK(t, "inspect", "-f", "{{.State.Status}} {{.State.Pid}} {{.NetworkSettings.IPAddress}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}} {{.HostConfig.RestartPolicy.Name}} {{.Config.Image}}", "fmt1")
		want := "running " + strconv.Itoa(ci.StateDetail.Pid) + " " + ci.IPAddress + " " + ci.IPAddress + " on-failure busybox\n"
		if got != want {
			t.Errorf("inspect -f printed %q, want %q", got, want)
		}
		if got := d.OK(t, "inspect", "--format", `{{.Name}} {{.Id}} {{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}`, "fmt1"); got != "/fmt1 "+id+" 18481 2\n" {
			t.Errorf("inspect --format printed %q", got)
		}
		var full []map[string]any
		if err := json.Unmarshal([]byte(d.OK(t, "inspect", "fmt1")), &full); err != nil || len(full) != 1 {
			t.Fatalf("inspect: %v", err)
		}
		for _, k := range []string{"Id", "State", "Config", "HostConfig", "NetworkSettings", "Mounts", "startPhases"} {
			if _, ok := full[0][k]; !ok {
				t.Errorf("inspect lacks %s", k)
			}
		}
	})

	t.Run("images --format", func(t *testing.T) {
		if got := d.OK(t, "images", "--format", "{{.Repository}}:{{.Tag}}"); !strings.Contains(got, "busybox:latest\n") {
			t.Errorf("images --format printed %q, want a busybox:latest line", got)
		}
		got := d.OK(t, "images", "--format", "{{.ID}} {{.Size}} {{.CreatedSince}}")
		if !regexp.MustCompile(`^[0-9a-f]{12} [0-9.]+[kMG]?B (.+ ago|)\n`).MatchString(got) {
			t.Errorf("images --format printed %q, want Docker's short id, size and age", got)
		}
		if got := d.OK(t, "images", "--format", `table {{.Repository}}\t{{.Tag}}`); !strings.HasPrefix(got, "REPOSITORY   TAG\n") {
			t.Errorf("images table directive printed %q", got)
		}
	})

	t.Run("events", func(t *testing.T) {
		d.OK(t, "run", "--rm", "--name", "fmt-once", img, "true")
		d.OK(t, "exec", "fmt1", "true")
		d.OK(t, "image", "tag", img, "fmt-tag:1")
		d.OK(t, "rmi", "fmt-tag:1")
		want := []string{
			"container create create ", "container start start ", "container die die ", "container destroy destroy ",
			"image tag tag ", "image untag untag ", "container attach attach ",
			"container exec_create: true exec_create: true ", "container exec_start: true exec_start: true ",
			"container exec_die exec_die ",
		}
		ok := testutil.Eventually(10*time.Second, func() bool {
			out := events.Stdout()
			for _, w := range want {
				if !strings.Contains(out, w) {
					return false
				}
			}
			return true
		})
		if !ok {
			t.Errorf("events lack Docker's actions %q:\n%s", want, events.Stdout())
		}
		if out := events.Stdout(); strings.Contains(out, " exit ") || !strings.Contains(out, " fmt-once\n") {
			t.Errorf("events: want die (not exit) and the container's name:\n%s", out)
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		if r := d.Run(t, "ps", "--bogus"); r.Code != 125 || !strings.Contains(r.Stderr, "unknown flag: --bogus") || !strings.Contains(r.Stderr, "Usage:  container-runtime ps") {
			t.Errorf("ps --bogus: %v, want Docker's exit 125 with the usage", r)
		}
		if r := d.Run(t, "ps", "extra"); r.Code != 1 || !strings.Contains(r.Stderr, "accepts no arguments") {
			t.Errorf("ps extra: %v, want exit 1", r)
		}
	})
	events.Interrupt()
	events.Wait(10 * time.Second)
	d.OK(t, "rm", "-f", "fmt1")
}
