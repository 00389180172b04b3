package registry

import (
	"net/http"
	"testing"
)

func TestStart(t *testing.T) {
	creds := Credentials{User: "alice", Password: "s3cret"}
	tests := []struct {
		name       string
		serve      Credentials
		user, pass string
		want       int
	}{
		{"open", Credentials{}, "", "", http.StatusOK},
		{"no credentials", creds, "", "", http.StatusUnauthorized},
		{"wrong password", creds, "alice", "wrong", http.StatusUnauthorized},
		{"right password", creds, "alice", "s3cret", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := Start(t, tt.serve)
			req, err := http.NewRequest("GET", "http://"+host+"/v2/", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET /v2/: %s, want %d", resp.Status, tt.want)
			}
		})
	}
}
