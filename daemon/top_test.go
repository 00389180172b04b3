package daemon

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestContainerTopRoute(t *testing.T) {
	var got [2]string
	d := startDaemon(t, Config{Containers: &fakeContainers{
		top: func(_ context.Context, id, args string) (api.ContainerTop, error) {
			got = [2]string{id, args}
			return api.ContainerTop{Titles: []string{"PID"}, Processes: [][]string{{"7"}}}, nil
		},
	}})
	resp := d.do(t, http.MethodGet, "/v1/containers/c1/top?ps_args="+url.QueryEscape("-o pid"), nil)
	var top api.ContainerTop
	decodeBody(t, resp, &top)
	if got != [2]string{"c1", "-o pid"} || !reflect.DeepEqual(top, api.ContainerTop{Titles: []string{"PID"}, Processes: [][]string{{"7"}}}) {
		t.Fatalf("top: service got %q, answer %+v", got, top)
	}
}
