package image

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestMarshalConfigHealthcheck checks that the health check is written
// where Docker puts it (config.Healthcheck, nanoseconds), read back, and
// that a config without one encodes exactly as before.
func TestMarshalConfigHealthcheck(t *testing.T) {
	cfg := ocispec.Image{Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}}
	cfg.Config.Cmd = []string{"sh"}
	plain, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := MarshalConfig(cfg, Extensions{}); err != nil || string(got) != string(plain) {
		t.Fatalf("without a health check: %s, %v; want encoding/json's %s", got, err, plain)
	}
	hc := &Healthcheck{Test: []string{"CMD-SHELL", "true"}, Interval: 5 * time.Second, Retries: 2}
	raw, err := MarshalConfig(cfg, Extensions{Healthcheck: hc})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":5000000000,"Retries":2}`) {
		t.Errorf("config %s lacks Docker's Healthcheck", raw)
	}
	again, _ := MarshalConfig(cfg, Extensions{Healthcheck: hc})
	if string(again) != string(raw) {
		t.Errorf("two encodings differ:\n%s\n%s", raw, again)
	}
	got, err := ExtensionsOf(raw)
	if err != nil || !reflect.DeepEqual(got.Healthcheck, hc) || got.Shell != nil {
		t.Errorf("read back %+v, %v; want %+v", got, err, hc)
	}
	var back ocispec.Image
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back.Config.Cmd, cfg.Config.Cmd) || back.OS != "linux" {
		t.Errorf("the OCI fields did not survive: %+v, %v", back, err)
	}
	if got, err := ExtensionsOf(plain); got.Healthcheck != nil || err != nil {
		t.Errorf("a config without one gave %+v, %v", got, err)
	}
	if _, err := ExtensionsOf([]byte(`{"config":{"Healthcheck":"sometimes"}}`)); err == nil {
		t.Error("a Healthcheck of the wrong type was read")
	}
}

// TestCreateImageKeepsHealthcheck checks that the store keeps an image's
// health check and that it is part of the image's identity.
func TestCreateImageKeepsHealthcheck(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	plain, err := s.CreateImage(ctx, Image{Created: created}, "plain:1")
	if err != nil {
		t.Fatal(err)
	}
	hc := &Healthcheck{Test: []string{"CMD", "/bin/check"}, Timeout: time.Second}
	img, err := s.CreateImage(ctx, Image{Created: created, Healthcheck: hc}, "checked:1")
	if err != nil {
		t.Fatal(err)
	}
	if img.ID == plain.ID {
		t.Error("the health check does not change the image id")
	}
	got, err := s.Image(ctx, "checked:1")
	if err != nil || !reflect.DeepEqual(got.Healthcheck, hc) {
		t.Errorf("stored %+v, %v; want %+v", got.Healthcheck, err, hc)
	}
	if p, _ := s.Image(ctx, "plain:1"); p.Healthcheck != nil {
		t.Errorf("an image without a check has %+v", p.Healthcheck)
	}
}
