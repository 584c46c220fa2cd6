package httpserver

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestProtocolErrorsLeaveHandlerAnswersAlone: behind ProtocolErrors, a handler's own plain-text
// 400 passes unchanged on a kept-alive connection, and a request net/http cannot read on that
// same connection gets the JSON error of the path its request line names.
func TestProtocolErrorsLeaveHandlerAnswersAlone(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "handler says no", http.StatusBadRequest)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ProtocolErrors(ln, 1<<20)) }()
	defer srv.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	read := func() (*http.Response, string) {
		t.Helper()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	if _, err := io.WriteString(conn, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if resp, body := read(); resp.StatusCode != 400 || body != "handler says no\n" || resp.Close {
		t.Fatalf("handler's answer changed: %d %q close=%t", resp.StatusCode, body, resp.Close)
	}
	if _, err := io.WriteString(conn, "GET /api/v1/things HTTP/1.1\r\nHost: h\r\nno colon here\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, body := read()
	if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
		!strings.Contains(body, `"code":"MalformedRequest"`) || !resp.Close {
		t.Fatalf("protocol error: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

func TestRequestPath(t *testing.T) {
	t.Parallel()
	for head, want := range map[string]string{
		"GET /api/v1/me?x=1 HTTP/1.1\r\nHost: x": "/api/v1/me",
		"POST /API/V40/x HTTP/1.1\r\n":           "/API/V40/x",
		"GARBAGE\r\n":                            "/",
		"":                                       "/",
		"GET http://h/api/v1/me HTTP/1.1\r\n":    "/api/v1/me",
		"GET %zz HTTP/1.1\r\n":                   "/",
	} {
		if got := requestPath([]byte(head)); got != want {
			t.Errorf("requestPath(%q) = %q, want %q", head, got, want)
		}
	}
}
