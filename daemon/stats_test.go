package daemon

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestContainerStatsRoute(t *testing.T) {
	var calls []string
	d := startDaemon(t, Config{Containers: &fakeContainers{
		stats: func(_ context.Context, id string, stream bool, send func(api.ContainerStats) error) error {
			calls = append(calls, fmt.Sprintf("%s stream=%v", id, stream))
			if id == "gone" {
				return errdefs.Kindf(errdefs.ErrNotFound, "no such container: gone")
			}
			for i := range 3 {
				if err := send(api.ContainerStats{ID: id, Pids: api.PidsStats{Current: uint64(i + 1)}}); err != nil {
					return err
				}
				if !stream {
					return nil
				}
			}
			return errdefs.Kindf(errdefs.ErrConflict, "the cgroup vanished")
		},
	}})

	// One sample: a JSON object.
	resp := d.do(t, http.MethodGet, "/v1/containers/c1/stats?stream=false", nil)
	var one api.ContainerStats
	decodeBody(t, resp, &one)
	if one.ID != "c1" || one.Pids.Current != 1 {
		t.Errorf("one sample = %+v", one)
	}

	// A stream (the default): NDJSON lines, then the failure as a line.
	resp = d.do(t, http.MethodGet, "/v1/containers/c2/stats", nil)
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != contentNDJSON {
		t.Errorf("stream content type %q", ct)
	}
	var lines []string
	for sc := bufio.NewScanner(resp.Body); sc.Scan(); {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 4 {
		t.Fatalf("stream lines = %q, want 3 samples and an error", lines)
	}
	var third api.ContainerStats
	if err := json.Unmarshal([]byte(lines[2]), &third); err != nil || third.Pids.Current != 3 {
		t.Errorf("third line %q: %v", lines[2], err)
	}
	var last api.Error
	if err := json.Unmarshal([]byte(lines[3]), &last); err != nil || last.Kind != api.KindConflict || !strings.Contains(last.Message, "vanished") {
		t.Errorf("last line %q: %v", lines[3], err)
	}

	// A failure before any sample is the answer's status.
	resp = d.do(t, http.MethodGet, "/v1/containers/gone/stats?stream=0", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("stats of a missing container: status %d, want 404", resp.StatusCode)
	}
	resp.Body.Close()
	resp = d.do(t, http.MethodGet, "/v1/containers/c1/stats?stream=maybe", nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("stream=maybe: status %d, want 400", resp.StatusCode)
	}
	resp.Body.Close()
	want := []string{"c1 stream=false", "c2 stream=true", "gone stream=false"}
	if strings.Join(calls, ",") != strings.Join(want, ",") {
		t.Errorf("service calls %q, want %q", calls, want)
	}
}

func TestContainerUpdateRoute(t *testing.T) {
	var got api.ContainerUpdate
	d := startDaemon(t, Config{Containers: &fakeContainers{
		update: func(_ context.Context, id string, req api.ContainerUpdate) (api.ContainerUpdated, error) {
			if id != "c1" {
				return api.ContainerUpdated{}, errdefs.Kindf(errdefs.ErrInvalidArgument, "Minimum memory limit allowed is 6MB")
			}
			got = req
			return api.ContainerUpdated{Warnings: []string{"w"}}, nil
		},
	}})
	body := `{"memory":134217728,"pidsLimit":0,"restartPolicy":{"name":"always"}}`
	resp := d.do(t, http.MethodPost, "/v1/containers/c1/update", strings.NewReader(body))
	var res api.ContainerUpdated
	decodeBody(t, resp, &res)
	if got.Memory != 128<<20 || got.PidsLimit == nil || *got.PidsLimit != 0 || got.RestartPolicy == nil || got.RestartPolicy.Name != "always" {
		t.Errorf("service got %+v", got)
	}
	if len(res.Warnings) != 1 {
		t.Errorf("answer %+v", res)
	}

	resp = d.do(t, http.MethodPost, "/v1/containers/c2/update", strings.NewReader(`{"memory":1}`))
	if e := apiError(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(e.Message, "6MB") {
		t.Errorf("refused update: %d %+v", resp.StatusCode, e)
	}
	resp = d.do(t, http.MethodPost, "/v1/containers/c1/update", strings.NewReader(`{"memory":"lots"}`))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a string memory: status %d, want 400", resp.StatusCode)
	}
	resp.Body.Close()
}
