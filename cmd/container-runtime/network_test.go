package main

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

func TestNetworkCommands(t *testing.T) {
	d := newFakeDaemon(t)
	var created api.NetworkCreate
	d.handle("POST /v1/networks", func(w http.ResponseWriter, r *http.Request) {
		decode(t, r, &created)
		answerJSON(w, 201, api.Network{ID: "5b1e0123456789abcdef", Name: created.Name})
	})
	d.handle("GET /v1/networks", func(w http.ResponseWriter, r *http.Request) {
		answerJSON(w, 200, []api.Network{
			{ID: "0f3c0123456789abcdef", Name: "bridge", Driver: "bridge", BridgeName: "crt0", Subnet: "10.66.0.0/16", Gateway: "10.66.0.1"},
			{ID: "host", Name: "host", Driver: "host"},
		})
	})
	d.handle("GET /v1/networks/{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") != "front" {
			answerError(w, 404, api.KindNotFound, "network \""+r.PathValue("name")+"\": not found")
			return
		}
		answerJSON(w, 200, api.Network{ID: "5b1e", Name: "front", Containers: []api.NetworkEndpoint{{ContainerID: "c1", IPAddress: "10.80.0.2"}}})
	})
	d.handle("DELETE /v1/networks/{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") == "busy" {
			answerError(w, 409, api.KindConflict, "network busy has containers attached (c1): conflict")
			return
		}
		w.WriteHeader(204)
	})
	cases := []struct {
		args   []string
		code   int
		stdout []string // lines, runs of spaces squeezed
		stderr string   // a substring
	}{
		{args: []string{"network", "create", "--subnet", "10.80.0.0/24", "-l", "a=b", "front"}, stdout: []string{"5b1e0123456789abcdef"}},
		{args: []string{"network", "ls"}, stdout: []string{
			"NETWORK ID NAME DRIVER SUBNET GATEWAY BRIDGE",
			"0f3c01234567 bridge bridge 10.66.0.0/16 10.66.0.1 crt0",
			"host host host - - -"}},
		{args: []string{"network", "ls", "-q"}, stdout: []string{"0f3c01234567", "host"}},
		{args: []string{"network", "inspect", "--format", "{{.Name}} {{(index .Containers 0).IPAddress}}", "front"}, stdout: []string{"front 10.80.0.2"}},
		{args: []string{"network", "inspect", "front", "back"}, code: 125, stderr: `network "back": not found`},
		{args: []string{"network", "rm", "front"}, stdout: []string{"front"}},
		{args: []string{"network", "rm", "busy"}, code: 125, stderr: "has containers attached"},
		{args: []string{"network", "create"}, code: 1, stderr: "requires 1 argument"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := d.run("", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("got %+v, want code %d and stderr with %q", r, tc.code, tc.stderr)
			}
			if tc.stdout != nil && !reflect.DeepEqual(squeeze(r.stdout), tc.stdout) {
				t.Errorf("output:\n%s\nwant:\n%s", r.stdout, strings.Join(tc.stdout, "\n"))
			}
		})
	}
	want := api.NetworkCreate{Name: "front", Subnet: "10.80.0.0/24", Labels: map[string]string{"a": "b"}}
	if !reflect.DeepEqual(created, want) {
		t.Errorf("create request %+v, want %+v", created, want)
	}
}
