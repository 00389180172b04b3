package main

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestRenameCommand(t *testing.T) {
	d := newFakeDaemon(t)
	d.handle("POST /v1/containers/{id}/rename", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("name") == "taken" {
			answerError(w, 409, api.KindAlreadyExists, `the container name "taken" is already in use by container 0123456789ab`)
			return
		}
		w.WriteHeader(204)
	})
	if r := d.run("", "rename", "old", "new"); r.code != 0 {
		t.Fatalf("rename: code %d stderr %q", r.code, r.stderr)
	}
	if r := d.run("", "container", "rename", "old", "taken"); r.code != 1 || !strings.Contains(r.stderr, "already in use") {
		t.Fatalf("rename to a taken name: code %d stderr %q, want 1", r.code, r.stderr)
	}
	calls := d.called()
	if len(calls) != 2 || !strings.HasPrefix(calls[0], "POST /v1/containers/old/rename") {
		t.Fatalf("calls %q", calls)
	}
}

func TestTopCommand(t *testing.T) {
	d := newFakeDaemon(t)
	var args []string
	d.handle("GET /v1/containers/{id}/top", func(w http.ResponseWriter, r *http.Request) {
		args = append(args, r.PathValue("id")+" "+r.URL.Query().Get("ps_args"))
		answerJSON(w, 200, api.ContainerTop{Titles: []string{"PID", "CMD"}, Processes: [][]string{{"7", "sleep 100"}}})
	})
	r := d.run("", "top", "web")
	if r.code != 0 || r.stdout != "PID   CMD\n7     sleep 100\n" {
		t.Fatalf("top: code %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := d.run("", "container", "top", "web", "-o", "pid,cmd"); r.code != 0 {
		t.Fatalf("top with ps options: code %d stderr %q", r.code, r.stderr)
	}
	if want := []string{"web ", "web -o pid,cmd"}; !reflect.DeepEqual(args, want) {
		t.Fatalf("daemon got %q, want %q", args, want)
	}
}

// TestContainerAliases: every `container X` reaches the same route as X.
func TestContainerAliases(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		route string
	}{
		{[]string{"container", "stop", "web"}, "POST /v1/containers/web/stop"},
		{[]string{"container", "start", "web"}, "POST /v1/containers/web/start"},
		{[]string{"container", "restart", "web"}, "POST /v1/containers/web/restart"},
		{[]string{"container", "kill", "web"}, "POST /v1/containers/web/kill"},
		{[]string{"container", "pause", "web"}, "POST /v1/containers/web/pause"},
		{[]string{"container", "unpause", "web"}, "POST /v1/containers/web/unpause"},
		{[]string{"container", "rm", "web"}, "DELETE /v1/containers/web"},
		{[]string{"container", "inspect", "web"}, "GET /v1/containers/web"},
		{[]string{"container", "wait", "web"}, "POST /v1/containers/web/wait"},
		{[]string{"container", "logs", "web"}, "GET /v1/containers/web/logs"},
		{[]string{"tag", "base", "mine:1"}, "POST /v1/images/base/tag"},
		{[]string{"history", "base"}, "GET /v1/images/base/history"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			d := newFakeDaemon(t)
			d.handle("/", func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasSuffix(r.URL.Path, "/wait"):
					answerJSON(w, 200, api.WaitResult{})
				case strings.HasSuffix(r.URL.Path, "/history"):
					answerJSON(w, 200, []api.HistoryEntry{})
				case r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/logs"):
					answerJSON(w, 200, api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: "c1", Name: "web"}})
				default:
					w.WriteHeader(204)
				}
			})
			d.run("", tc.args...)
			calls := d.called()
			if len(calls) == 0 || !strings.HasPrefix(calls[0], tc.route) {
				t.Fatalf("calls %q, want %s first", calls, tc.route)
			}
		})
	}
}
