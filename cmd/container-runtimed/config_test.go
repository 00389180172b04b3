package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/image"
)

func TestConfigPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		dotenv   string // ./.env
		wantRoot string
	}{
		{"default", nil, nil, "", image.DefaultRoot},
		{".env", nil, nil, "# the seed's file\nINSTALL_PATH=\"/srv/from-dotenv\"\n", "/srv/from-dotenv"},
		{"env over .env", nil, map[string]string{"INSTALL_PATH": "/srv/from-env"}, "INSTALL_PATH=/srv/from-dotenv\n", "/srv/from-env"},
		{"flag over env", []string{"--root", "/srv/from-flag"}, map[string]string{"INSTALL_PATH": "/srv/from-env"}, "INSTALL_PATH=/srv/from-dotenv\n", "/srv/from-flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if tt.dotenv != "" {
				if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(tt.dotenv), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, []string{".env"}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.root != tt.wantRoot {
				t.Fatalf("root %q, want %q", cfg.root, tt.wantRoot)
			}
		})
	}
}

func TestConfigDefaultsAndErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	noEnv := func(string) string { return "" }
	cfg, err := parseConfig([]string{"--exec-root", "/run/x", "--log-level", "debug"}, noEnv, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.socket != "/run/x/container-runtimed.sock" || cfg.level != slog.LevelDebug {
		t.Fatalf("socket %q level %v", cfg.socket, cfg.level)
	}
	env := func(k string) string { return map[string]string{"CONTAINER_RUNTIME_SOCKET": "/tmp/s.sock"}[k] }
	if cfg, _ := parseConfig(nil, env, nil, io.Discard); cfg.socket != "/tmp/s.sock" {
		t.Fatalf("socket from the environment: %q", cfg.socket)
	}
	for _, args := range [][]string{
		{"--log-level", "chatty"},
		{"--tlscert", "c.pem"},
		{"extra"},
	} {
		if _, err := parseConfig(args, noEnv, nil, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestParseEnv(t *testing.T) {
	m := map[string]string{}
	err := parseEnv(strings.NewReader("\n# comment\nexport A=1\nB = 'two words'\nC=\n"), m)
	if err != nil {
		t.Fatal(err)
	}
	if m["A"] != "1" || m["B"] != "two words" || m["C"] != "" || len(m) != 3 {
		t.Fatalf("got %q", m)
	}
	if err := parseEnv(strings.NewReader("no equals sign\n"), map[string]string{}); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("bad line: %v", err)
	}
}

func TestNetworkFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	noEnv := func(string) string { return "" }
	cfg, err := parseConfig([]string{"--root", "/srv/r", "--bridge-name", "crtx0", "--bridge-subnet", "10.99.0.0/24",
		"--nft-table", "crt-x", "--address-pools", "10.100.0.0/16, 10.101.0.0/16"}, noEnv, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := cfg.net.manager(cfg.root)
	if err != nil {
		t.Fatal(err)
	}
	if nc.StateDir != "/srv/r/network" || nc.BridgeName != "crtx0" || nc.Subnet.String() != "10.99.0.0/24" ||
		nc.NFTable != "crt-x" || len(nc.AddressPools) != 2 || nc.AddressPools[1].String() != "10.101.0.0/16" {
		t.Fatalf("network config %+v", nc)
	}
	for _, args := range [][]string{
		{"--bridge-subnet", "10.99.0.0"},
		{"--address-pools", "10.100.0.0/16,nope"},
	} {
		if _, err := parseConfig(args, noEnv, nil, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
