package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

// TestPSFormat checks ps --format against what Docker's CLI prints for the
// same container: field names, the short id, the quoted and shortened
// command, the ports, labels, the table directive and JSON.
func TestPSFormat(t *testing.T) {
	created := time.Now().Add(-3 * time.Minute)
	d := newFakeDaemon(t)
	d.handle("GET /v1/containers", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, []api.ContainerSummary{{
			ID: "0123456789abcdef0123", Name: "web", Image: "busybox",
			Command: []string{"sh", "-c", "while true; do sleep 1; done"}, Created: created,
			State: "running", Status: "Up 3 minutes", Network: "bridge",
			Labels: map[string]string{"tier": "front", "app": "shop"},
			Ports: []api.PortBinding{
				{HostPort: 8080, ContainerPort: 80}, {HostPort: 8081, ContainerPort: 81},
				{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Proto: "udp"},
			},
			Mounts: []api.Mount{{Type: "bind", Source: "/srv/www/htdocs/public", Destination: "/www"}},
		}})
	})
	createdAt := time.Unix(created.Unix(), 0).String()
	cases := []struct {
		format, want string
	}{
		{`{{.Names}}\t{{.Status}}`, "web\tUp 3 minutes\n"},
		{"{{.ID}}", "0123456789ab\n"},
		{"{{.Image}} {{.State}} {{.Networks}}", "busybox running bridge\n"},
		{"{{.Command}}", `"sh -c while true; d…"` + "\n"},
		{"{{.Ports}}", "0.0.0.0:8080-8081->80-81/tcp, 127.0.0.1:5353->53/udp\n"},
		{"{{.CreatedAt}}", createdAt + "\n"},
		{"{{.RunningFor}}", "3 minutes ago\n"},
		{`{{.Labels}} {{.Label "tier"}}|{{.Label "none"}}|`, "app=shop,tier=front front||\n"},
		{"{{.Mounts}} {{.LocalVolumes}} {{.Size}}", "/srv/www/htdoc… 0 0B\n"},
		{"{{.Name}}", "web\n"},
		{`{{upper .Names}} {{lower "AB"}} {{title "one two"}} {{join (split .Names "e") "-"}} [{{pad .Names 1 2}}] {{truncate .ID 4}}`,
			"WEB ab One Two w-b [ web  ] 0123\n"},
		{"{{json .Names}}", `"web"` + "\n"},
		{`table {{.ID}}\t{{.Names}}\t{{.Label "tier"}}`, "CONTAINER ID   NAMES     LABEL\n0123456789ab   web       front\n"},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			r := d.run("", "ps", "--format", tc.format)
			if r.code != 0 || r.stdout != tc.want {
				t.Errorf("got %+v\nwant stdout %q", r, tc.want)
			}
		})
	}
	t.Run("--no-trunc", func(t *testing.T) {
		r := d.run("", "ps", "--no-trunc", "--format", "{{.ID}} {{.Command}}")
		if want := `0123456789abcdef0123 "sh -c while true; do sleep 1; done"` + "\n"; r.stdout != want {
			t.Errorf("got %q, want %q", r.stdout, want)
		}
	})
	t.Run("json", func(t *testing.T) {
		r := d.run("", "ps", "--format", "json")
		var got map[string]string
		if err := jsonUnmarshal(r.stdout, &got); err != nil {
			t.Fatalf("ps --format json printed %q: %v", r.stdout, err)
		}
		want := map[string]string{
			"Command": `"sh -c while true; d…"`, "CreatedAt": createdAt, "ID": "0123456789ab", "Image": "busybox",
			"Labels": "app=shop,tier=front", "LocalVolumes": "0", "Mounts": "/srv/www/htdoc…", "Names": "web",
			"Networks": "bridge", "Ports": "0.0.0.0:8080-8081->80-81/tcp, 127.0.0.1:5353->53/udp",
			"RunningFor": "3 minutes ago", "Size": "0B", "State": "running", "Status": "Up 3 minutes",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("keys %v, want Docker's %d", got, len(want))
		}
	})
	t.Run("bad template", func(t *testing.T) {
		r := d.run("", "ps", "--format", "{{")
		if r.code != 1 || !strings.Contains(r.stderr, "failed to parse template") {
			t.Errorf("got %+v, want exit 1 and Docker's message", r)
		}
	})
}

// TestImagesFormat checks images --format as Docker prints it.
func TestImagesFormat(t *testing.T) {
	d := newFakeDaemon(t)
	created := time.Now().Add(-49 * time.Hour)
	d.handle("GET /v1/images", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, []api.ImageSummary{
			{ID: "sha256:4dd97cefde62cf2d6bcfd8f2c0300a24fbcddbe0ebcd577cc8b420c29106869a", Names: []string{"busybox:latest", "localhost:5000/web:1.2"}, Size: 4_261_550, Created: created},
			{ID: "sha256:aaaabbbbccccdddd", Size: 0, Created: created},
		})
	})
	cases := []struct{ format, want string }{
		{"{{.Repository}}:{{.Tag}}", "busybox:latest\nlocalhost:5000/web:1.2\n<none>:<none>\n"},
		{"{{.ID}} {{.Size}} {{.CreatedSince}}", "4dd97cefde62 4.26MB 2 days ago\n4dd97cefde62 4.26MB 2 days ago\naaaabbbbcccc 0B 2 days ago\n"},
		{`table {{.Repository}}\t{{.Tag}}\t{{.ID}}`, "REPOSITORY           TAG       IMAGE ID\nbusybox              latest    4dd97cefde62\nlocalhost:5000/web   1.2       4dd97cefde62\n<none>               <none>    aaaabbbbcccc\n"},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			if r := d.run("", "images", "--format", tc.format); r.code != 0 || r.stdout != tc.want {
				t.Errorf("got %+v\nwant stdout %q", r, tc.want)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		r := d.run("", "images", "--format", "json")
		var got map[string]string
		if err := jsonUnmarshal(strings.Split(r.stdout, "\n")[0], &got); err != nil || got["Repository"] != "busybox" || got["Tag"] != "latest" ||
			got["ID"] != "4dd97cefde62" || got["Size"] != "4.26MB" || got["Digest"] != "<none>" || got["CreatedSince"] != "2 days ago" {
			t.Errorf("images --format json: %q (%v)", r.stdout, err)
		}
	})
}

// TestInspectDockerShape checks that inspect's templates and JSON have
// Docker's structure, and that our extras are still there.
func TestInspectDockerShape(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("GET /v1/containers/web", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, api.ContainerInspect{
			ContainerSummary: api.ContainerSummary{ID: "c1", Name: "web", Image: "busybox", State: "running",
				Command: []string{"sh", "-c", "sleep 1"}, Network: "bridge",
				Ports: []api.PortBinding{{HostPort: 8080, ContainerPort: 80}}},
			ImageID:     "sha256:ab",
			Config:      api.ContainerCreate{Image: "busybox", Ports: []api.PortBinding{{HostPort: 8080, ContainerPort: 80}}, RestartPolicy: api.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3}},
			StateDetail: api.ContainerState{Status: "running", Running: true, Pid: 42},
			IPAddress:   "10.88.0.5", IPPrefixLen: 16, Gateway: "10.88.0.1",
			StartupCommands: []api.StartupResult{{Args: []string{"setup"}}},
			StartPhases:     []api.Phase{{Name: "rootfs", Duration: time.Millisecond}},
		})
	})
	d.handle("GET /v1/containers/quiet", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: "c2", Name: "quiet", State: "exited", Network: "none"}})
	})
	cases := []struct{ name, format, want string }{
		{"web", `{{.State.Status}} {{.State.Pid}} {{.NetworkSettings.IPAddress}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}} {{.HostConfig.RestartPolicy.Name}} {{.Config.Image}}`,
			"running 42 10.88.0.5 10.88.0.5 on-failure busybox\n"},
		{"web", "{{.Name}} {{.Id}} {{.Image}} {{.Path}} {{json .Args}} {{.StateDetail.Pid}}", `/web c1 sha256:ab sh ["-c","sleep 1"] 42` + "\n"},
		{"web", `{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}} {{json .HostConfig.PortBindings}}`, `8080 {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}` + "\n"},
		{"quiet", "{{.State.Status}} {{.HostConfig.RestartPolicy.Name}} {{json .Config.Labels}} {{json .Mounts}}", "exited no {} []\n"},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			if r := d.run("", "inspect", "-f", tc.format, tc.name); r.code != 0 || r.stdout != tc.want {
				t.Errorf("got %+v\nwant stdout %q", r, tc.want)
			}
		})
	}
	t.Run("json keeps our extras", func(t *testing.T) {
		r := d.run("", "inspect", "web")
		for _, want := range []string{`"Id": "c1"`, `"State": {`, `"NetworkSettings": {`, `"startupCommands"`, `"startPhases"`} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("inspect lacks %s:\n%s", want, r.stdout)
			}
		}
	})
}

// TestUsageErrors checks Docker's exit codes and messages for command
// lines the CLI cannot take (docker 28: 125 for flags, 1 otherwise).
func TestUsageErrors(t *testing.T) {
	d := newFakeDaemon(t)
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"ps", "--bogus"}, 125, "container-runtime: unknown flag: --bogus\n\nUsage:  container-runtime ps [-a] [-q] [-s] [-n N|-l] [--filter KEY=VALUE] [--format json]\n\nRun 'container-runtime ps --help' for more information\n"},
		{[]string{"ps", "extra"}, 1, "container-runtime: 'container-runtime ps' accepts no arguments\n\nUsage:  container-runtime ps [-a] [-q] [-s] [-n N|-l] [--filter KEY=VALUE] [--format json]\n\nRun 'container-runtime ps --help' for more information\n"},
		{[]string{"bogus"}, 1, "container-runtime: unknown command: container-runtime bogus\n\nRun 'container-runtime --help' for more information\n"},
		{[]string{"rm"}, 1, "container-runtime: 'container-runtime rm' requires at least 1 argument\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := d.run("", tc.args...)
			if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.stderr) {
				t.Errorf("got %+v\nwant code %d, stderr %q", r, tc.code, tc.stderr)
			}
		})
	}
	if calls := d.called(); len(calls) != 0 {
		t.Errorf("the daemon was called: %q", calls)
	}
}

// TestWithExtras checks that fields of our API the Docker view does not
// map still show, after Docker's, and never twice in different case.
func TestWithExtras(t *testing.T) {
	type docker struct {
		Id    string //nolint:revive // Docker's name
		State string
	}
	type ours struct {
		ID     string `json:"id"`
		State  string `json:"state"`
		Health string `json:"health"`
		Pid    int    `json:"pid"`
	}
	b, err := withExtras(docker{Id: "c1", State: "running"}, ours{ID: "c1", State: "running", Health: "healthy", Pid: 7}, []string{"pid"})
	if want := `{"Id":"c1","State":"running","health":"healthy"}`; err != nil || string(b) != want {
		t.Errorf("got %s (%v), want %s", b, err, want)
	}
}
