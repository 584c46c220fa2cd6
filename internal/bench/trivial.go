package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// TrivialBanner starts the line the trivial server prints on stdout, followed by its URL.
const TrivialBanner = "trivial server listening on "

// trivialPath is the trivial server's one route.
const trivialPath = "/echo"

// trivialRequest and trivialAnswer are the trivial handler's JSON: a request shaped like a
// create-conversation call, an answer shaped like a short V40 envelope.
type trivialRequest struct {
	SessionToken     string
	Message          string
	OutletCode       string
	ConversationType string
}

type trivialAnswer struct {
	SessionToken string `json:"sessionToken"`
	Status       string `json:"status"`
	Message      string `json:"message"`
	At           string `json:"at"`
}

// trivialHandler decodes a small JSON body and answers a small JSON object: the least work a
// JSON API over net/http can do, the ceiling the scenarios are compared with.
func trivialHandler(w http.ResponseWriter, r *http.Request) {
	var req trivialRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		http.Error(w, `{"status":"Failure"}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(trivialAnswer{SessionToken: req.SessionToken, Status: "Success",
		Message: req.Message, At: time.Now().UTC().Format(time.RFC3339Nano)})
}

// ServeTrivial runs the trivial JSON server on addr until ctx ends, printing TrivialBanner and
// its URL on out once it listens. It returns the listener's or server's error.
func ServeTrivial(ctx context.Context, addr string, out io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+trivialPath, trivialHandler)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	fmt.Fprintf(out, "%shttp://%s\n", TrivialBanner, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
