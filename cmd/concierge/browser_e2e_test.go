package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"concierge/client"
	"concierge/internal/web"
)

// The browser tests drive the staff console (/console/) and the guest page (/guest/) in a real
// headless Chromium (Debian's /usr/bin/chromium; CONCIERGE_CHROMIUM names another) with
// chromedp. They wait on DOM conditions only, never on time. Screenshots go to
// $CONCIERGE_SCREENSHOTS (default: a new temporary folder), whose path the tests log.

// browserTimeout bounds each browser test; a healthy run takes a few seconds.
const browserTimeout = 3 * time.Minute

// chromiumPath finds the browser. Without one the tests skip, except under CI=true where a
// missing browser is a failure (scripts/test installs it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CONCIERGE_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (apt-get install chromium, or set CONCIERGE_CHROMIUM); browser tests cannot be skipped under CI=true")
	}
	t.Skip("no Chromium found (apt-get install chromium, or set CONCIERGE_CHROMIUM)")
	return ""
}

// screenshotDir is where the tests save their screenshots.
var screenshotDirOnce = sync.OnceValues(func() (string, error) {
	if d := os.Getenv("CONCIERGE_SCREENSHOTS"); d != "" {
		return d, os.MkdirAll(d, 0o755)
	}
	return os.MkdirTemp("", "concierge-screenshots-")
})

func screenshotDir(t *testing.T) string {
	t.Helper()
	d, err := screenshotDirOnce()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// browser is one headless Chromium for a test.
type browser struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	// exceptions are the uncaught exceptions and CSP violations of every tab: the test fails
	// on any.
	exceptions []string
}

// newBrowser starts Chromium with a fresh profile; it stops at the end of the test.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		t.Fatalf("start %s: %v", path, err)
	}
	b := &browser{t: t, ctx: bctx}
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.exceptions {
			t.Errorf("error in a page: %s", e)
		}
	})
	return b
}

// tab is one page of the browser, in a browser context of its own (its own storage, like a
// different person's browser).
type tab struct {
	b    *browser
	name string
	ctx  context.Context
}

// newTab opens a tab with a width×height viewport.
func (b *browser) newTab(name string, width, height int64) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	messages := chromedp.Console(ctx)
	tb := &tab{b: b, name: name, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		b.t.Fatalf("%s: viewport: %v", name, err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A page that breaks the Content-Security-Policy fails as an exception does.
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				b.mu.Lock()
				b.exceptions = append(b.exceptions, fmt.Sprintf("%s: %s:%d %s", name, m.URL, m.Line+1, m.Text))
				b.mu.Unlock()
			}
		}
	}()
	return tb
}

// stepTimeout bounds one do call, so that a failing step still leaves time to read the page.
const stepTimeout = 45 * time.Second

// do runs steps on the tab and fails the test on an error.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		html, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))
		tb.b.t.Fatalf("%s: %s: %v\npage text:\n%s", tb.name, what, err, html)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](tb *tab, expr string) T {
	tb.b.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.b.t.Fatalf("%s: evaluate %s: %v", tb.name, expr, err)
	}
	return v
}

// waitFor waits until a JavaScript expression is truthy (bounded by the test's timeout).
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(0))(ctx, t)
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return nil
	})
}

// pressEnter sends the Enter key as a keyboard does (keydown, keyup; no extra char event).
func pressEnter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// screenshot saves the tab's page as name.png in the screenshot folder.
func (tb *tab) screenshot(name string) {
	tb.b.t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.b.t.Fatalf("%s: screenshot: %v", tb.name, err)
	}
	p := filepath.Join(screenshotDir(tb.b.t), name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		tb.b.t.Fatal(err)
	}
	tb.b.t.Logf("screenshot %s", p)
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}

// consoleLogin logs a staff user into the console and waits for the live stream.
func consoleLogin(tb *tab, base, username, password string) {
	tb.b.t.Helper()
	tb.do("console login",
		chromedp.Navigate(base+"/console/"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-username"), username),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("app-view")),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-state="live"]`)),
		chromedp.WaitReady(chromedp.CSS(`#inbox-list[aria-busy="false"]`)),
	)
}

// guestLogin logs a verified guest into the guest page and waits for the live stream.
func guestLogin(tb *tab, base, room, lastName string) {
	tb.b.t.Helper()
	tb.do("guest login",
		chromedp.Navigate(base+"/guest/?property=DEMO&token=demo-interface-token"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-room"), room),
		chromedp.SendKeys(chromedp.ID("login-lastname"), lastName),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("app-view")),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-state="live"]`)),
	)
}

// TestBrowserGuestAndAgentChatLive is the day at the front desk: a guest writes from the
// guest page; the front-desk agent, already on the console, sees the conversation appear
// without reloading, opens it and replies; the guest sees the reply (and the agent sees it
// read) without reloading; the agent closes the conversation and the guest sees it closed.
func TestBrowserGuestAndAgentChatLive(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	// Two conversations already waiting at the front desk.
	for _, g := range []struct{ room, lastName, text string }{
		{"101", "Garcia", "¿Podrían pedirme un taxi al aeropuerto para mañana a las 8?"},
		{"104", "Dubois", "Bonjour, le wifi ne fonctionne pas dans la chambre."},
	} {
		s.roomGuest(t, g.room, g.lastName).open(t, "FRONTDESK", g.text)
	}
	b := newBrowser(t)
	agent := b.newTab("agent", 1280, 800)
	guest := b.newTab("guest", 1280, 800)

	consoleLogin(agent, s.URL, "frontdesk", "demo-password")
	checkLabels(agent)
	before := eval[int](agent, `document.querySelectorAll('#inbox-list button.conv').length`)
	if before != 2 {
		t.Fatalf("the inbox lists %d conversations, want the 2 waiting", before)
	}
	if got := eval[int](agent, `document.querySelectorAll('#inbox-list .badge').length`); got != 2 {
		t.Errorf("%d unread badges, want 2", got)
	}
	if got := eval[string](agent, `document.title`); got != "(2) Concierge console" {
		t.Errorf("title %q, want the unread count", got)
	}

	s.Clock.Advance(time.Minute) // the guest writes a minute after the console loaded
	const question = "Could I have a late checkout tomorrow, please?"
	guestLogin(guest, s.URL, "102", "Smith")
	guest.do("the new-conversation form opens", chromedp.WaitVisible(chromedp.ID("new-form")))
	checkLabels(guest)
	guest.do("guest writes at the front desk",
		chromedp.WaitVisible(chromedp.ID("new-form")),
		waitFor(`[...document.querySelectorAll('#new-outlet option')].some(o => o.value === 'FRONTDESK')`),
		chromedp.SetValue(chromedp.ID("new-outlet"), "FRONTDESK"),
		chromedp.SendKeys(chromedp.ID("new-text"), question),
		chromedp.Click(chromedp.ID("new-send")),
		chromedp.WaitVisible(chromedp.ID("chat")),
		waitFor(`[...document.querySelectorAll('#chat-messages li.msg.mine .text')].some(p => p.textContent === `+jsString(question)+`)`),
	)
	if got := eval[string](guest, `document.getElementById('who').textContent`); !strings.Contains(got, "John Smith") || !strings.Contains(got, "102") {
		t.Errorf("guest header %q lacks the guest's name and room", got)
	}

	// The agent sees it appear, flagged as new, with the title counting it: no reload.
	agent.do("new conversation appears in the inbox",
		waitFor(`document.querySelectorAll('#inbox-list button.conv').length === `+fmt.Sprint(before+1)),
		waitFor(`!!document.querySelector('#inbox-list button.conv.fresh')`),
		waitFor(`document.title === '(3) Concierge console'`),
		waitFor(`document.querySelector('#inbox-list button.conv.fresh').textContent.includes(`+jsString(question)+`)`),
	)
	item := eval[string](agent, `document.querySelector('#inbox-list button.conv.fresh').textContent`)
	for _, want := range []string{"Room 102", "John Smith", "EN", "Unassigned"} {
		if !strings.Contains(item, want) {
			t.Errorf("inbox item %q lacks %q", item, want)
		}
	}
	agent.do("the new conversation is announced to screen readers",
		waitFor(`document.getElementById('announcer').textContent === 'New conversation from room 102, John Smith'`),
	)

	const reply = "Of course, Mr Smith: your room is yours until 14:00."
	agent.do("agent opens the conversation and replies with Enter",
		chromedp.Click(chromedp.CSS(`#inbox-list button.conv.fresh`)),
		chromedp.WaitVisible(chromedp.ID("thread-body")),
		waitFor(`[...document.querySelectorAll('#thread-messages li.msg.guest .text')].some(p => p.textContent === `+jsString(question)+`)`),
		waitFor(`document.getElementById('thread-title').textContent.includes('102')`),
		chromedp.Click(chromedp.ID("assign-me")),
		waitFor(`document.getElementById('assign-me').textContent === 'Unassign'`),
		chromedp.SendKeys(chromedp.ID("reply-text"), reply),
		pressEnter(),
		waitFor(`[...document.querySelectorAll('#thread-messages li.msg.staff .text')].some(p => p.textContent === `+jsString(reply)+`)`),
		waitFor(`document.getElementById('reply-text').value === ''`),
		// Opening marked the guest's message read: the badge is gone.
		waitFor(`!document.querySelector('#inbox-list button.conv[aria-current="true"] .badge')`),
	)

	guest.do("guest sees the reply live, and their message seen",
		waitFor(`[...document.querySelectorAll('#chat-messages li.msg.theirs .text')].some(p => p.textContent === `+jsString(reply)+`)`),
		waitFor(`!!document.querySelector('#chat-messages li.msg.mine .receipt[data-read="true"]')`),
	)
	checkLabels(guest)
	guest.screenshot("guest-chat")
	agent.do("agent sees the reply read by the guest",
		waitFor(`[...document.querySelectorAll('#thread-messages li.msg.staff .receipt')].some(r => r.textContent === 'Read by guest')`),
	)

	// A note stays with the staff.
	const note = "Late checkout approved; tell housekeeping."
	agent.do("agent adds a note",
		chromedp.Click(chromedp.ID("reply-note")),
		chromedp.SendKeys(chromedp.ID("reply-text"), note),
		chromedp.Click(chromedp.ID("reply-send")),
		waitFor(`[...document.querySelectorAll('#thread-messages li.msg.note .text')].some(p => p.textContent === `+jsString(note)+`)`),
	)
	checkLabels(agent)
	agent.screenshot("console-conversation")

	agent.do("agent closes the conversation",
		chromedp.Click(chromedp.ID("toggle-status")),
		waitFor(`document.getElementById('toggle-status').textContent === 'Reopen'`),
	)
	guest.do("guest sees it closed",
		waitFor(`document.getElementById('chat').dataset.status === 'Closed'`),
		chromedp.WaitVisible(chromedp.ID("chat-closed")),
	)
	if got := eval[int](guest, `[...document.querySelectorAll('#chat-messages .text')].filter(p => p.textContent === `+jsString(note)+`).length`); got != 0 {
		t.Error("the guest sees the staff note")
	}
	guest.screenshot("guest-chat-closed")
}

// TestBrowserLoginFailures shows a clear message for a wrong password and an unknown guest.
func TestBrowserLoginFailures(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	b := newBrowser(t)
	agent := b.newTab("agent", 1280, 800)
	agent.do("wrong password, typed with the keyboard only (Tab to the password, Enter submits)",
		chromedp.Navigate(s.URL+"/console/"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		waitFor(`document.activeElement && document.activeElement.id === 'login-username'`),
		chromedp.KeyEvent("frontdesk\tnot-the-password\r"),
		chromedp.WaitVisible(chromedp.ID("login-error")),
		waitFor(`document.getElementById('login-error').textContent === 'Wrong username or password.'`),
	)
	if eval[bool](agent, `!document.getElementById('app-view').hidden`) {
		t.Error("the console opened after a failed login")
	}

	guest := b.newTab("guest", 1280, 800)
	guest.do("unknown guest, in Spanish",
		chromedp.Navigate(s.URL+"/guest/?property=DEMO&token=demo-interface-token&lang=es"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		waitFor(`document.documentElement.lang === 'es'`),
		chromedp.SendKeys(chromedp.ID("login-room"), "102"),
		chromedp.SendKeys(chromedp.ID("login-lastname"), "Nobody"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
		waitFor(`document.getElementById('login-error').textContent.startsWith('No encontramos')`),
	)
	checkLabels(guest)
	guest.screenshot("guest-login-error")

	wrongToken := b.newTab("guest-token", 1280, 800)
	wrongToken.do("wrong interface token",
		chromedp.Navigate(s.URL+"/guest/?property=DEMO&token=not-a-token&lang=en"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-room"), "102"),
		chromedp.SendKeys(chromedp.ID("login-lastname"), "Smith"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
		waitFor(`document.getElementById('login-error').textContent.length > 0`),
	)
}

// TestBrowserTabletWidth renders both pages at 768×1024 without horizontal scrolling, in the
// guest's own language (German for room 103).
func TestBrowserTabletWidth(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	// A conversation to show, with a reply.
	s.roomGuest(t, "103", "Müller").open(t, "ROOMSERVICE", "Könnte ich bitte noch zwei Kissen bekommen?")

	b := newBrowser(t)
	agent := b.newTab("agent", 768, 1024)
	consoleLogin(agent, s.URL, "roomservice", "demo-password")
	agent.do("inbox on a tablet",
		waitFor(`document.querySelectorAll('#inbox-list button.conv').length > 0`),
		waitFor(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`),
	)
	agent.screenshot("console-tablet-inbox")
	agent.do("conversation on a tablet",
		chromedp.Click(chromedp.CSS(`#inbox-list button.conv`)),
		chromedp.WaitVisible(chromedp.ID("thread-body")),
		chromedp.WaitVisible(chromedp.ID("back")),
		chromedp.WaitNotVisible(chromedp.ID("inbox")),
		waitFor(`document.querySelectorAll('#thread-messages li.msg').length > 0`),
		waitFor(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`),
	)
	agent.screenshot("console-tablet-conversation")
	agent.do("back to the inbox with Escape",
		chromedp.Focus(chromedp.ID("reply-text")),
		chromedp.KeyEvent("\x1b"),
		chromedp.WaitVisible(chromedp.ID("inbox")),
	)

	guest := b.newTab("guest", 768, 1024)
	guestLogin(guest, s.URL, "103", "Müller")
	guest.do("guest page on a tablet, in German",
		waitFor(`document.documentElement.lang === 'de'`),
		waitFor(`document.querySelectorAll('#conv-list button').length === 1`),
		waitFor(`document.getElementById('list-title').textContent === 'Ihre Unterhaltungen'`),
		waitFor(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`),
		chromedp.Click(chromedp.CSS(`#conv-list button`)),
		chromedp.WaitVisible(chromedp.ID("chat")),
		waitFor(`document.querySelectorAll('#chat-messages li.msg').length === 1`),
		waitFor(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`),
	)
	guest.screenshot("guest-tablet-chat")

	// A reload keeps both sessions (sessionStorage); logging out ends them.
	agent.do("reload keeps the login, log out ends it",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("app-view")),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-state="live"]`)),
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		waitFor(`sessionStorage.length === 0`),
	)
	guest.do("reload keeps the guest session",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("app-view")),
		waitFor(`document.querySelectorAll('#conv-list button').length === 1`),
	)
	pageToken := eval[string](guest, `JSON.parse(sessionStorage.getItem('concierge.guestSession')).token`)
	guest.do("log out ends it",
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		waitFor(`sessionStorage.length === 0`),
	)
	if r := s.get(t, "/API/V40/Interactive/Messages/Conversations?SessionToken="+pageToken); r.Status != http.StatusUnauthorized {
		t.Errorf("the page's session still works after logging out: %d", r.Status)
	}
}

// TestBrowserGuestWithoutRoom: on a phone, a guest without a room (a non-verified guest, by
// this browser's identifier) can write only to the outlets that allow it; the name given at
// login reaches the staff with the conversation.
func TestBrowserGuestWithoutRoom(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	b := newBrowser(t)
	guest := b.newTab("guest", 390, 844)
	const text = "Is the restaurant open to visitors tonight?"
	guest.do("non-verified guest writes to the front desk",
		chromedp.Navigate(s.URL+"/guest/?property=DEMO&token=demo-interface-token&lang=fr"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.Click(chromedp.ID("mode-guest")),
		chromedp.WaitNotVisible(chromedp.ID("login-room")),
		chromedp.SendKeys(chromedp.ID("login-name"), "Walk In"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("new-form")),
		waitFor(`document.documentElement.lang === 'fr'`),
		waitFor(`[...document.querySelectorAll('#new-outlet option')].map(o => o.value).join() === 'FRONTDESK'`),
		chromedp.SendKeys(chromedp.ID("new-text"), text),
		chromedp.Click(chromedp.ID("new-send")),
		chromedp.WaitVisible(chromedp.ID("chat")),
		waitFor(`[...document.querySelectorAll('#chat-messages li.msg.mine .text')].some(p => p.textContent === `+jsString(text)+`)`),
		waitFor(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`),
	)
	checkLabels(guest)
	guest.screenshot("guest-phone-without-room")

	staff := s.loggedIn(t, "frontdesk")
	convs := need(staff.Conversations(t.Context(), client.InboxQuery{}))(t).Conversations
	if len(convs) != 1 {
		t.Fatalf("staff see %d conversations, want 1", len(convs))
	}
	conv := need(staff.Conversation(t.Context(), convs[0].Code))(t).Conversation
	var form struct {
		FirstName string `json:"firstName"`
	}
	_ = json.Unmarshal(conv.OrderForm, &form)
	if conv.GuestFirstName != "Walk" || conv.GuestLastName != "In" || form.FirstName != "Walk" {
		t.Errorf("conversation names %v %v, order form %s; want Walk In", conv.GuestFirstName, conv.GuestLastName, conv.OrderForm)
	}
	if conv.Stay != nil || conv.GuestIdentifier == nil {
		t.Errorf("a non-verified conversation has stay %+v, guestIdentifier %v", conv.Stay, conv.GuestIdentifier)
	}
}

// TestBrowserInboxFiltersAndPaging: the inbox pages by "Load more", and its filters (search,
// assignee, status, service center) ask the server and keep applying to live changes.
func TestBrowserInboxFiltersAndPaging(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	ana, claire := s.roomGuest(t, "101", "Garcia"), s.roomGuest(t, "104", "Dubois")
	var codes []string
	for i := range 32 {
		g, text := ana, fmt.Sprintf("Pregunta número %d", i)
		if i%2 == 1 {
			g, text = claire, fmt.Sprintf("Question numéro %d", i)
		}
		if i == 7 {
			text = "Pourriez-vous réserver un taxi pour l'aéroport ?"
		}
		codes = append(codes, g.open(t, "FRONTDESK", text))
	}
	count := `document.querySelectorAll('#inbox-list button.conv').length`
	b := newBrowser(t)
	agent := b.newTab("agent", 1280, 800)
	consoleLogin(agent, s.URL, "frontdesk", "demo-password")
	agent.do("first page, then load more",
		waitFor(count+` === 30`),
		chromedp.WaitVisible(chromedp.ID("load-more")),
		chromedp.Click(chromedp.ID("load-more")),
		waitFor(count+` === 32`),
		chromedp.WaitNotVisible(chromedp.ID("load-more")),
	)
	// The list shows each conversation's last message and outlet from the inbox pages alone:
	// no request per conversation.
	agent.do("previews come with the list",
		waitFor(`[...document.querySelectorAll('#inbox-list button.conv .line')].every((l) => /^(Pregunta número|Question numéro) \d+$|aéroport/.test(l.textContent))`),
		waitFor(`[...document.querySelectorAll('#inbox-list button.conv .tag[title="Outlet"]')].every((t) => t.textContent === 'Front Desk')`),
		waitFor(`performance.getEntriesByType('resource').filter((e) => /\/api\/v1\/conversations\/./.test(new URL(e.name).pathname)).length === 0`),
	)
	agent.do("search (accents ignored)",
		chromedp.SendKeys(chromedp.ID("f-q"), "aeroport\r"),
		waitFor(count+` === 1`),
		waitFor(`document.querySelector('#inbox-list button.conv').textContent.includes('Room 104')`),
		chromedp.Focus(chromedp.ID("f-q")),
		chromedp.KeyEvent("\x1b"), // Escape clears the search
		waitFor(count+` === 30`),
	)
	agent.do("mine: none yet",
		chromedp.SetValue(chromedp.ID("f-assignee"), "me"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-assignee').dispatchEvent(new Event('change'))`),
		waitFor(count+` === 0`),
		chromedp.WaitVisible(chromedp.ID("inbox-empty")),
	)
	// Assigned elsewhere (another agent's console, the API): it joins "mine" live.
	staff := s.loggedIn(t, "frontdesk")
	need(staff.Assign(t.Context(), codes[3], "frontdesk"))(t)
	agent.do("assigned to me: it appears without reloading",
		waitFor(count+` === 1`),
		waitFor(`document.querySelector('#inbox-list button.conv').dataset.code === `+jsString(codes[3])),
		// Not a new conversation: it was there before the console loaded.
		waitFor(`document.getElementById('announcer').textContent.endsWith('added to the list')`),
	)
	agent.do("unassigned",
		chromedp.SetValue(chromedp.ID("f-assignee"), "nobody"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-assignee').dispatchEvent(new Event('change'))`),
		waitFor(count+` === 30`),
		waitFor(`![...document.querySelectorAll('#inbox-list button.conv')].some(b => b.dataset.code === `+jsString(codes[3])+`)`),
	)
	need(staff.Close(t.Context(), codes[5]))(t)
	agent.do("closed",
		chromedp.SetValue(chromedp.ID("f-assignee"), "anyone"),
		chromedp.SetValue(chromedp.ID("f-status"), "Closed"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-status').dispatchEvent(new Event('change'))`),
		waitFor(count+` === 1`),
		waitFor(`document.querySelector('#inbox-list button.conv').dataset.code === `+jsString(codes[5])),
	)
	agent.do("a service center without conversations",
		chromedp.SetValue(chromedp.ID("f-status"), ""),
		waitFor(`[...document.querySelectorAll('#f-center option')].some(o => o.value === 'DEMO|FO')`),
		chromedp.SetValue(chromedp.ID("f-center"), "DEMO|FO"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-center').dispatchEvent(new Event('change'))`),
		waitFor(count+` === 30`),
	)
	agent.screenshot("console-inbox-filters")
}

// checkLabels fails the test for every visible control of the tab without an accessible
// name (a label with text, aria-label, or a button's text).
func checkLabels(tb *tab) {
	tb.b.t.Helper()
	missing := eval[[]string](tb, `[...document.querySelectorAll('input, select, textarea, button')]
		.filter((el) => el.offsetParent !== null)
		.filter((el) => !((el.labels && [...el.labels].some((l) => l.textContent.trim()))
			|| (el.getAttribute('aria-label') || '').trim()
			|| (el.tagName === 'BUTTON' && el.textContent.trim())))
		.map((el) => el.id || el.outerHTML.slice(0, 80))`)
	for _, m := range missing {
		tb.b.t.Errorf("%s: control without a label: %s", tb.name, m)
	}
}

// TestBrowserScreenshotFolder reports where the screenshots are (scripts/test prints it).
func TestBrowserScreenshotFolder(t *testing.T) {
	chromiumPath(t)
	t.Logf("browser screenshots are in %s", screenshotDir(t))
}

// TestBrowserLiveStreamResumes runs the pages' event-stream client (/assets/sse.js) in the
// browser against a scripted stream: events split across reads, CRLF lines, comments and
// multi-line data are parsed; when the server ends the stream the client reconnects and
// resumes with Last-Event-ID; a refused credential stops it without retrying.
func TestBrowserLiveStreamResumes(t *testing.T) {
	pages, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var resumes []string // the Last-Event-ID of each accepted connection
	refused := 0
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", pages)
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good" {
			mu.Lock()
			refused++
			mu.Unlock()
			http.Error(w, `{"error":{"code":"AuthenticationFailed"}}`, http.StatusUnauthorized)
			return
		}
		mu.Lock()
		resumes = append(resumes, r.Header.Get("Last-Event-ID"))
		n := len(resumes)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		write := func(s string) {
			_, _ = io.WriteString(w, s)
			_ = rc.Flush()
		}
		switch n {
		case 1: // two events, the second split across writes with CRLF lines; then the end
			write("retry: 50\n\n: a comment\n\nid: 1\nevent: message.created\ndata: {\"a\":1}\n\n")
			write("id: 2\r\nevent: conversation.up")
			write("dated\r\ndata: {\"b\":\r\ndata: 2}\r")
			write("\n\r\n")
		default: // the resumed stream, kept open
			write("id: 3\nevent: reload\ndata: {\"kind\":\"reload\"}\n\n")
			<-r.Context().Done()
		}
	})
	mux.HandleFunc("GET /test", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><title>sse</title><script type="module">
import { LiveStream } from '/assets/sse.js';
window.got = []; window.states = []; window.authFailed = 0;
new LiveStream({ url: '/events', headers: () => ({ Authorization: 'Bearer good' }),
  onEvent: (e) => got.push(e), onState: (s) => states.push(s), onAuthFailure: () => {} }).start();
new LiveStream({ url: '/events', headers: () => ({ Authorization: 'Bearer bad' }),
  onEvent: () => {}, onState: () => {}, onAuthFailure: (status) => { authFailed = status; } }).start();
</script>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := newBrowser(t)
	page := b.newTab("sse", 800, 600)
	page.do("stream, end, resume",
		chromedp.Navigate(srv.URL+"/test"),
		waitFor(`window.got && window.got.length === 3`),
		waitFor(`window.states[window.states.length - 1] === 'live'`),
		waitFor(`window.authFailed === 401`),
	)
	got := eval[string](page, `JSON.stringify(window.got)`)
	want := `[{"id":"1","type":"message.created","data":{"a":1}},{"id":"2","type":"conversation.updated","data":{"b":2}},{"id":"3","type":"reload","data":{"kind":"reload"}}]`
	if got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	states := eval[string](page, `window.states.join(',')`)
	if states != "connecting,live,reconnecting,live" {
		t.Errorf("states %q, want connecting,live,reconnecting,live", states)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(resumes) != 2 || resumes[0] != "" || resumes[1] != "2" {
		t.Errorf("Last-Event-ID of the connections %q, want [\"\" \"2\"]", resumes)
	}
	if refused != 1 {
		t.Errorf("a refused stream was tried %d times, want 1 (no retry after 401)", refused)
	}
}
