package httpserver

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"concierge/internal/concierge"
	"concierge/internal/v40"
)

// Protocol-level errors. When net/http's server cannot read a request at all — a malformed
// request line or header, a missing Host, headers over MaxHeaderBytes — no handler runs: the
// server writes a plain-text answer ("400 Bad Request", "431 Request Header Fields Too Large")
// straight to the connection and closes it. ProtocolErrors wraps the listener so that those
// answers come in the API's error shape instead, like every other error: the staff API's
// {"error": …} when the request line names a path under /api/v1/, the guest envelope
// otherwise (as for unknown paths). A connection that fails before a byte was read, or whose
// client is gone, gets no answer at all, as before: there is no one to answer.

// plainProtocolError matches, in full, one write of net/http's protocol-error answer: status
// line, the two fixed headers, and the text. Answers from handlers always carry more headers
// (Date at least), so they never match.
var plainProtocolError = regexp.MustCompile(`\AHTTP/1\.1 (400|431) [^\r\n]*\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n([^\r\n]*)\z`)

// requestHeadCap bounds what a connection keeps of the request being read: enough of the
// request line to see its path.
const requestHeadCap = 512

// ProtocolErrors returns a listener whose connections answer net/http's protocol errors (400
// and 431 written by the server itself) in the API's JSON error shape; maxHeaderBytes is the
// server's MaxHeaderBytes, for the message of the 431.
func ProtocolErrors(ln net.Listener, maxHeaderBytes int) net.Listener {
	return protocolErrorListener{Listener: ln, maxHeaderBytes: maxHeaderBytes}
}

type protocolErrorListener struct {
	net.Listener
	maxHeaderBytes int
}

// Accept wraps the next connection.
func (l protocolErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &protocolErrorConn{Conn: c, maxHeaderBytes: l.maxHeaderBytes}, nil
}

// protocolErrorConn keeps the start of the request being read (what was read since the last
// answer was written) and rewrites net/http's protocol-error answers.
type protocolErrorConn struct {
	net.Conn
	maxHeaderBytes int

	mu   sync.Mutex // the server reads in the background while a handler writes
	head []byte     // start of what was read since the last write, up to requestHeadCap
}

func (c *protocolErrorConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if room := requestHeadCap - len(c.head); room > 0 {
			c.head = append(c.head, p[:min(n, room)]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *protocolErrorConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	head := c.head
	c.head = nil // the next request starts after this answer
	c.mu.Unlock()
	m := plainProtocolError.FindSubmatch(p)
	if m == nil {
		return c.Conn.Write(p)
	}
	status, _ := strconv.Atoi(string(m[1]))
	if _, err := c.Conn.Write(protocolErrorAnswer(status, string(m[2]), requestPath(head), c.maxHeaderBytes)); err != nil {
		return 0, err
	}
	return len(p), nil // net/http wrote p, as far as it knows
}

// requestPath returns the path of the request line at the start of head, or "/" when there
// is none to read.
func requestPath(head []byte) string {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 2 {
		return "/"
	}
	if u, err := url.ParseRequestURI(fields[1]); err == nil && u.Path != "" {
		return u.Path
	}
	return "/"
}

// protocolErrorAnswer renders the whole HTTP answer to a request net/http could not read:
// status 400 (text is net/http's, e.g. "400 Bad Request: missing required Host header") or
// 431, in the error shape of the API path belongs to, closing the connection.
func protocolErrorAnswer(status int, text, path string, maxHeaderBytes int) []byte {
	err := concierge.Errorf(concierge.CodeMalformedRequest, "The request could not be read as HTTP/1.1.")
	if detail, ok := strings.CutPrefix(text, "400 Bad Request: "); ok && detail != "" {
		err = concierge.Errorf(concierge.CodeMalformedRequest, "The request could not be read as HTTP/1.1: %s.", detail)
	}
	if status == http.StatusRequestHeaderFieldsTooLarge {
		err = concierge.Errorf(concierge.CodeHeadersTooLarge,
			"The request line and headers are larger than %d bytes.", maxHeaderBytes)
	}
	rec := httptest.NewRecorder() // the answer of the API's own error writer, in memory
	// A guest handler without a service: the request could not be read, so no session
	// token is kept in the envelope.
	apis := Config{guest: v40.NewHandler(nil, slog.New(slog.DiscardHandler), v40.Options{})}
	apis.writeError(rec, &http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}, Header: http.Header{}}, err)
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	rec.Header().Set("Content-Length", strconv.Itoa(rec.Body.Len()))
	rec.Header().Set("Connection", "close")
	_ = rec.Header().Write(&b)
	b.WriteString("\r\n")
	b.Write(rec.Body.Bytes())
	return b.Bytes()
}
