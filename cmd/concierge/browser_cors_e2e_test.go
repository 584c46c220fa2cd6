package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// corsPage is a page of an integrator's web app on another origin: it logs a staff user in,
// trades the token for a WebSocket ticket and opens the staff WebSocket, all with the
// browser's own fetch and WebSocket, and records what happened in window.result.
const corsPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Integrator app</title></head><body>
<p id="status">idle</p>
<script>
window.result = {events: [], error: ''};
async function connect(base) {
  try {
    const login = await fetch(base + '/api/v1/auth/login', {method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({username: 'frontdesk', password: 'demo-password'})});
    const {token} = await login.json();
    const t = await fetch(base + '/api/v1/events/ticket', {method: 'POST',
      headers: {'Authorization': 'Bearer ' + token, 'Idempotency-Key': 'ticket-' + Date.now()}});
    window.result.ticketStatus = t.status;
    const {ticket} = await t.json();
    const ws = new WebSocket(base.replace(/^http/, 'ws') + '/api/v1/events/ws?ticket=' + encodeURIComponent(ticket));
    ws.onopen = () => { window.result.open = true; document.getElementById('status').textContent = 'live'; };
    ws.onmessage = (e) => window.result.events.push(JSON.parse(e.data).kind);
    ws.onerror = () => { window.result.error = 'websocket error'; };
  } catch (e) {
    window.result.error = String(e);
  }
}
</script></body></html>`

// TestBrowserCrossOriginWebSocket: a page on an origin listed in --cors-origins logs in, gets a
// ticket through CORS fetches (preflights included) and receives live events on the staff
// WebSocket in Chromium; the same page on an origin not listed cannot even log in.
func TestBrowserCrossOriginWebSocket(t *testing.T) {
	b := newBrowser(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(corsPage))
	}))
	t.Cleanup(app.Close)
	s := startServer(t, serverOptions{demo: true, env: noLimits, args: []string{"--cors-origins", app.URL}})

	page := b.newTab("integrator", 1024, 700)
	page.do("open the integrator's page and connect",
		chromedp.Navigate(app.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.Evaluate[chromedp.Void](`connect(`+jsString(s.URL)+`); undefined`),
		waitFor(`window.result.open === true || window.result.error !== ''`),
	)
	if e := eval[string](page, `window.result.error`); e != "" {
		t.Fatalf("the allowed origin's page failed: %s", e)
	}
	if got := eval[int](page, `window.result.ticketStatus`); got != http.StatusCreated {
		t.Errorf("ticket status %d", got)
	}
	ana := s.loginRoom(t, "101", "Garcia")
	s.guestConversation(t, ana, "FRONTDESK", "The window does not close", nil)
	page.do("a live event arrives", waitFor(`window.result.events.includes('message.created')`))

	// The same page served from another origin (localhost instead of 127.0.0.1): the browser
	// refuses it the answers, so its login fails.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(app.URL, "http://"))
	other := b.newTab("elsewhere", 1024, 700)
	other.do("open the page on an origin not listed",
		chromedp.Navigate("http://localhost:"+port+"/"),
		chromedp.WaitVisible(chromedp.ID("status")),
		chromedp.Evaluate[chromedp.Void](`connect(`+jsString(s.URL)+`); undefined`),
		waitFor(`window.result.open === true || window.result.error !== ''`),
	)
	if e := eval[string](other, `window.result.error`); !strings.Contains(e, "Failed to fetch") {
		t.Errorf("the page of an origin not listed: error %q, open %v; want a failed fetch", e, eval[bool](other, `window.result.open === true`))
	}
}
