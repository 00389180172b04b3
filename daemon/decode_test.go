package daemon

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/api"
)

func TestMalformedBodies(t *testing.T) {
	d := startDaemon(t, Config{Containers: &fakeContainers{
		create: func(context.Context, api.ContainerCreate) (api.ContainerCreated, error) {
			return api.ContainerCreated{ID: "x"}, nil
		},
	}})
	tests := []struct {
		name, body string
		status     int
		want       string // in the message
	}{
		{"malformed", `{"image": "base",`, http.StatusBadRequest, "malformed JSON"},
		{"syntax", `{"image" "base"}`, http.StatusBadRequest, "malformed JSON at byte"},
		{"unknown field", `{"image":"base","imgae":"x"}`, http.StatusBadRequest, `unknown field "imgae"`},
		{"wrong type", `{"image":"base","tty":"yes"}`, http.StatusBadRequest, `field "tty"`},
		{"wrong nested type", `{"image":"base","resources":{"memory":"1g"}}`, http.StatusBadRequest, `field "resources.memory"`},
		{"wrong element type", `{"image":"base","cmd":[1]}`, http.StatusBadRequest, `field "cmd`},
		{"not an object", `["base"]`, http.StatusBadRequest, "must be a JSON object"},
		{"empty", ``, http.StatusBadRequest, "empty request body"},
		{"trailing", `{"image":"base"} {"image":"x"}`, http.StatusBadRequest, "after the JSON object"},
		{"missing image", `{}`, http.StatusBadRequest, `"image" is required`},
		{"too big", `{"image":"` + strings.Repeat("a", maxJSONBody) + `"}`, http.StatusRequestEntityTooLarge, "larger than"},
		{"fine", `{"image":"base"}`, http.StatusCreated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := d.do(t, "POST", "/v1/containers", strings.NewReader(tt.body))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.want == "" {
				return
			}
			e := apiError(t, resp)
			if e.Kind != api.KindInvalidArgument || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("error %+v, want kind invalid_argument and %q in the message", e, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-05-01T10:00:00Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"1700000000", time.Unix(1700000000, 0), true},
		{"1700000000.25", time.Unix(1700000000, 250_000_000), true},
		{"soon", time.Time{}, false},
		{"17.x", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && !got.Equal(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
