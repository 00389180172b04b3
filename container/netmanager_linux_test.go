package container

import (
	"errors"
	"reflect"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

func TestPublishedPorts(t *testing.T) {
	exposed := map[string]struct{}{"80/tcp": {}, "53/udp": {}, "8080": {}, "9000-9010/tcp": {}, "7/sctp": {}}
	tests := []struct {
		name     string
		req      api.ContainerCreate
		want     []api.PortBinding
		warnings int
		err      error
	}{
		{name: "none", req: api.ContainerCreate{Network: "bridge"}},
		{name: "explicit", req: api.ContainerCreate{Network: "bridge", Ports: []api.PortBinding{{HostPort: 8080, ContainerPort: 80}}},
			want: []api.PortBinding{{HostPort: 8080, ContainerPort: 80}}},
		{name: "publish all skips what is published and what cannot be",
			req:  api.ContainerCreate{Network: "bridge", PublishAll: true, Ports: []api.PortBinding{{HostPort: 8000, ContainerPort: 80, Proto: "TCP"}}},
			want: []api.PortBinding{{HostPort: 8000, ContainerPort: 80, Proto: "TCP"}, {ContainerPort: 53, Proto: "udp"}, {ContainerPort: 8080, Proto: "tcp"}}},
		{name: "host drops them with a warning", req: api.ContainerCreate{Network: "host", PublishAll: true}, warnings: 1},
		{name: "none drops them with a warning", req: api.ContainerCreate{Network: "none", Ports: []api.PortBinding{{ContainerPort: 80}}}, warnings: 1},
		{name: "host without ports says nothing", req: api.ContainerCreate{Network: "host"}},
		{name: "bad protocol", req: api.ContainerCreate{Ports: []api.PortBinding{{ContainerPort: 80, Proto: "sctp"}}}, err: errdefs.ErrInvalidArgument},
		{name: "no container port", req: api.ContainerCreate{Ports: []api.PortBinding{{HostPort: 80}}}, err: errdefs.ErrInvalidArgument},
		{name: "IPv6 host address", req: api.ContainerCreate{Ports: []api.PortBinding{{HostIP: "::1", ContainerPort: 80}}}, err: errdefs.ErrInvalidArgument},
		{name: "bad host address", req: api.ContainerCreate{Ports: []api.PortBinding{{HostIP: "localhost", ContainerPort: 80}}}, err: errdefs.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := publishedPorts(tt.req, exposed)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) || len(warnings) != tt.warnings {
				t.Fatalf("ports %+v warnings %q, want %+v and %d warnings", got, warnings, tt.want, tt.warnings)
			}
		})
	}
}
