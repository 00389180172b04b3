package main

import (
	"strings"
	"testing"
)

func TestPort(t *testing.T) {
	d := newFakeDaemon(t)
	d.answer("GET /v1/containers/web", 200, `{"id":"c1","name":"web","ports":[
		{"hostPort":8443,"containerPort":443},
		{"hostIp":"127.0.0.1","hostPort":8080,"containerPort":80,"proto":"tcp"},
		{"hostPort":5353,"containerPort":53,"proto":"udp"},
		{"hostIp":"::","hostPort":8080,"containerPort":80}]}`)
	for _, tc := range []struct {
		args []string
		code int
		out  string
		err  string
	}{
		{[]string{"port", "web"}, 0, "53/udp -> 0.0.0.0:5353\n80/tcp -> 127.0.0.1:8080\n80/tcp -> [::]:8080\n443/tcp -> 0.0.0.0:8443\n", ""},
		{[]string{"port", "web", "80"}, 0, "127.0.0.1:8080\n[::]:8080\n", ""},
		{[]string{"container", "port", "web", "53/udp"}, 0, "0.0.0.0:5353\n", ""},
		{[]string{"port", "web", "53"}, 1, "", "no public port '53/tcp' published for web"},
		{[]string{"port", "web", "http"}, 1, "", `invalid port "http"`},
	} {
		r := d.run("", tc.args...)
		if r.code != tc.code || r.stdout != tc.out || !strings.Contains(r.stderr, tc.err) {
			t.Errorf("%q: code %d stdout %q stderr %q; want %d %q %q", tc.args, r.code, r.stdout, r.stderr, tc.code, tc.out, tc.err)
		}
	}
}
