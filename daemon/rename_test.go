package daemon

import (
	"context"
	"net/http"
	"testing"
)

func TestContainerRenameRoute(t *testing.T) {
	var renamed [2]string
	d := startDaemon(t, Config{Containers: &fakeContainers{
		rename: func(_ context.Context, id, name string) error { renamed = [2]string{id, name}; return nil },
	}})
	resp := d.do(t, http.MethodPost, "/v1/containers/old/rename?name=new", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || renamed != [2]string{"old", "new"} {
		t.Fatalf("rename: status %d, service got %q", resp.StatusCode, renamed)
	}
	renamed = [2]string{}
	resp = d.do(t, http.MethodPost, "/v1/containers/old/rename", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || renamed != [2]string{} {
		t.Fatalf("rename without a name: status %d (want 400), service got %q", resp.StatusCode, renamed)
	}
}
