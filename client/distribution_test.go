package client

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/container-runtime/container-runtime/api"
	"github.com/container-runtime/container-runtime/errdefs"
)

// TestDistributionRoutes checks the requests of pull, push, save, load,
// login and logout, and what they make of the answers.
func TestDistributionRoutes(t *testing.T) {
	type seen struct{ method, path, query, body string }
	var got seen
	answers := map[string]string{
		"/v1/images/pull":                          `{"layer":"abc","status":"Downloading","current":1,"total":2}` + "\n" + `{"id":"sha256:1"}` + "\n",
		"/v1/images/127.0.0.1:5000%2Fx%2Fy:1/push": `{"layer":"abc","status":"Pushed"}` + "\n" + `{"id":"sha256:1","digest":"sha256:d"}` + "\n",
		"/v1/images/save":                          "TARDATA",
		"/v1/images/load":                          `{"status":"Loading layer"}` + "\n" + `{"id":"sha256:2","loaded":["a:1","sha256:2"]}` + "\n",
		"/v1/auth/login":                           `{"status":"Login Succeeded"}`,
		"/v1/auth/logout":                          "",
	}
	c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.URL.EscapedPath(), r.URL.Query().Encode(), string(body)}
		if got.path == "/v1/auth/logout" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, answers[got.path])
	}))
	ctx := t.Context()
	check := func(t *testing.T, want seen) {
		t.Helper()
		if got != want {
			t.Errorf("request %+v\nwant    %+v", got, want)
		}
	}

	t.Run("pull", func(t *testing.T) {
		var lines []api.Progress
		id, err := c.ImagePull(ctx, api.PullRequest{Ref: "debian", Auth: &api.RegistryAuth{Username: "u", Password: "p"}},
			func(p api.Progress) { lines = append(lines, p) })
		if err != nil || id != "sha256:1" {
			t.Fatalf("id %q, err %v", id, err)
		}
		check(t, seen{"POST", "/v1/images/pull", "", `{"ref":"debian","auth":{"username":"u","password":"p"}}`})
		if len(lines) != 2 || lines[0].Layer != "abc" || lines[0].Total != 2 {
			t.Errorf("progress %+v", lines)
		}
	})
	t.Run("push", func(t *testing.T) {
		dg, err := c.ImagePush(ctx, "127.0.0.1:5000/x/y:1", api.PushRequest{Insecure: true}, nil)
		if err != nil || dg != "sha256:d" {
			t.Fatalf("digest %q, err %v", dg, err)
		}
		check(t, seen{"POST", "/v1/images/127.0.0.1:5000%2Fx%2Fy:1/push", "", `{"insecure":true}`})
	})
	t.Run("save", func(t *testing.T) {
		var buf bytes.Buffer
		if err := c.ImageSave(ctx, []string{"a", "b:2"}, api.SaveFormatOCI, &buf); err != nil {
			t.Fatal(err)
		}
		check(t, seen{"GET", "/v1/images/save", "format=oci&names=a&names=b%3A2", ""})
		if buf.String() != "TARDATA" {
			t.Errorf("archive %q", buf.String())
		}
	})
	t.Run("load", func(t *testing.T) {
		loaded, err := c.ImageLoad(ctx, strings.NewReader("ARCHIVE"), nil)
		if err != nil || !slices.Equal(loaded, []string{"a:1", "sha256:2"}) {
			t.Fatalf("loaded %q, err %v", loaded, err)
		}
		check(t, seen{"POST", "/v1/images/load", "", "ARCHIVE"})
	})
	t.Run("login", func(t *testing.T) {
		res, err := c.Login(ctx, api.LoginRequest{Registry: "r.example", Username: "u", Password: "p"})
		if err != nil || res.Status != "Login Succeeded" {
			t.Fatalf("result %+v, err %v", res, err)
		}
		check(t, seen{"POST", "/v1/auth/login", "", `{"registry":"r.example","username":"u","password":"p"}`})
	})
	t.Run("logout", func(t *testing.T) {
		if err := c.Logout(ctx, "r.example"); err != nil {
			t.Fatal(err)
		}
		check(t, seen{"POST", "/v1/auth/logout", "", `{"registry":"r.example"}`})
	})
}

// TestUnauthorized checks that a 401 comes back as ErrUnauthorized, in an
// answer's status and in the last line of a progress stream.
func TestUnauthorized(t *testing.T) {
	const msg = "pulling r.example/x: unauthorized: wrong or missing credentials"
	for name, h := range map[string]http.HandlerFunc{
		"status": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"kind":"unauthorized","message":"`+msg+`"}`)
		},
		"bare status": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, msg)
		},
		"stream": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"Waiting","layer":"abc"}`+"\n"+`{"error":{"kind":"unauthorized","message":"`+msg+`"}}`+"\n")
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := serve(t, h)
			_, err := c.ImagePull(t.Context(), api.PullRequest{Ref: "r.example/x"}, nil)
			if !errors.Is(err, errdefs.ErrUnauthorized) || err.Error() != msg {
				t.Errorf("err %v: want ErrUnauthorized with the daemon's message", err)
			}
		})
	}
}
