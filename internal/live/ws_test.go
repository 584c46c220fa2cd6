package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A source that ends the stream because its credential ended closes the WebSocket with 1008
// (policy violation); any other source failure is a normal closure.
func TestServeWebSocketCloseStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want websocket.StatusCode
	}{
		{"credential ended", fmt.Errorf("%w: logged out", ErrCredentialEnded), websocket.StatusPolicyViolation},
		{"store failure", errors.New("database unreachable"), websocket.StatusNormalClosure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := NewHub(0)
			defer hub.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ServeWebSocket(w, r, Options{Hub: hub}, "test", Start{},
					func(ctx context.Context, after int64) (Batch, error) {
						if hub.Latest() > after {
							return Batch{}, tc.err
						}
						return Batch{Next: after}, nil
					})
			}))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			hub.Notify(1)
			_, _, err = c.Read(ctx)
			if got := websocket.CloseStatus(err); got != tc.want {
				t.Fatalf("closed with %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}
