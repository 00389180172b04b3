package daemon

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestContainerListQuery(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		want  api.ContainerListOptions
		code  int
	}{
		{"none", "", api.ContainerListOptions{}, http.StatusOK},
		{"all limit size", "all=1&limit=3&size=1", api.ContainerListOptions{All: true, Limit: 3, Size: true}, http.StatusOK},
		{"filters", "filters=" + url.QueryEscape(`{"status":["exited","created"],"label":["a=b"]}`),
			api.ContainerListOptions{Filters: map[string][]string{"status": {"exited", "created"}, "label": {"a=b"}}}, http.StatusOK},
		{"docker's old filters", "filters=" + url.QueryEscape(`{"name":{"web":true}}`),
			api.ContainerListOptions{Filters: map[string][]string{"name": {"web"}}}, http.StatusOK},
		{"bad filters", "filters=nope", api.ContainerListOptions{}, http.StatusBadRequest},
		{"bad limit", "limit=x", api.ContainerListOptions{}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *api.ContainerListOptions
			d := startDaemon(t, Config{Containers: &fakeContainers{
				listF: func(_ context.Context, o api.ContainerListOptions) ([]api.ContainerSummary, error) {
					got = &o
					return nil, nil
				},
			}})
			resp := d.do(t, http.MethodGet, "/v1/containers?"+tc.query, nil)
			defer resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			if tc.code != http.StatusOK {
				if got != nil {
					t.Fatalf("the service was called with %+v on a bad query", *got)
				}
				return
			}
			if got == nil || !reflect.DeepEqual(*got, tc.want) {
				t.Fatalf("service got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestContainerListInvalidFilterIs400(t *testing.T) {
	d := startDaemon(t, Config{Containers: &fakeContainers{
		listF: func(context.Context, api.ContainerListOptions) ([]api.ContainerSummary, error) {
			return nil, errdefs.Kindf(errdefs.ErrInvalidArgument, "invalid filter 'bogus'")
		},
	}})
	resp := d.do(t, http.MethodGet, "/v1/containers?filters="+url.QueryEscape(`{"bogus":["1"]}`), nil)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	if e := apiError(t, resp); e.Message != "invalid filter 'bogus'" {
		t.Fatalf("message %q", e.Message)
	}
}
