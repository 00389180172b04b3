package daemon

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/container-runtime/container-runtime/api"
)

// A client that opens a log stream and never reads it, and one that sends
// half a request header and stalls, must not keep 50 other clients from
// being served; when the stalled reader goes away, its stream's service
// call ends.
func TestStalledClientsDoNotBlockOthers(t *testing.T) {
	var written atomic.Int64
	logsEnded := make(chan error, 1)
	blocked := make(chan struct{})
	d := startDaemon(t, Config{Containers: &fakeContainers{
		inspect: func(_ context.Context, id string) (api.ContainerInspect, error) {
			return api.ContainerInspect{ContainerSummary: api.ContainerSummary{ID: id}}, nil
		},
		logs: func(ctx context.Context, id string, _ LogsOptions, w FrameWriter) error {
			chunk := make([]byte, 64<<10)
			var once sync.Once
			for {
				// Once far more than the socket buffers hold was
				// written, the writes block: the client does not read.
				if written.Load() > 16<<20 {
					once.Do(func() { close(blocked) })
				}
				if err := w.WriteFrame(api.Stdout, chunk); err != nil {
					logsEnded <- err
					return err
				}
				written.Add(int64(len(chunk)))
				if err := ctx.Err(); err != nil {
					logsEnded <- err
					return err
				}
			}
		},
	}})

	// The stalled reader: sends the request, reads nothing.
	reader := d.dialRaw(t)
	fmt.Fprintf(reader, "GET /v1/containers/big/logs?follow=1 HTTP/1.1\r\nHost: daemon\r\n\r\n")
	// The stalled writer: half a header.
	writer := d.dialRaw(t)
	fmt.Fprintf(writer, "GET /v1/containers/x HTTP/1.1\r\nHost: dae")

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("c%d", i)
			resp, err := d.client.Get("http://daemon/v1/containers/" + id)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			var c api.ContainerInspect
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Errorf("%s: status %d", id, resp.StatusCode)
			} else if err := decodeJSONResp(resp, &c); err != nil || c.ID != id {
				errs <- fmt.Errorf("%s: got %+v, %v", id, c, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// The log stream is still stalled, not finished.
	select {
	case err := <-logsEnded:
		t.Fatalf("the stalled stream ended early: %v", err)
	default:
	}
	// Only blocked writes keep the count from growing forever; the
	// stream then ends when its client leaves.
	select {
	case <-blocked:
		t.Fatalf("the service wrote %d bytes to a client that reads nothing", written.Load())
	default:
	}
	reader.Close()
	if err := <-logsEnded; err == nil {
		t.Fatal("the log stream ended without an error after its client left")
	}
}
