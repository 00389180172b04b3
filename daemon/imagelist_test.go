package daemon

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestImageListQuery(t *testing.T) {
	var got *api.ImageListOptions
	d := startDaemon(t, Config{Images: &fakeImages{
		listF: func(_ context.Context, o api.ImageListOptions) ([]api.ImageSummary, error) {
			got = &o
			return nil, nil
		},
	}})
	resp := d.do(t, http.MethodGet, "/v1/images?all=1&filters="+url.QueryEscape(`{"dangling":["true"]}`), nil)
	var list []api.ImageSummary
	decodeBody(t, resp, &list)
	want := api.ImageListOptions{All: true, Filters: map[string][]string{"dangling": {"true"}}}
	if got == nil || !reflect.DeepEqual(*got, want) || list == nil {
		t.Fatalf("service got %+v, want %+v; answer %v", got, want, list)
	}
}
