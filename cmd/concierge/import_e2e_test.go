package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/api"
	"concierge/client"
	"concierge/internal/concierge"
)

// runImport runs `concierge import ARGS… --db <the server's database>` in-process, as an
// operator would beside the running server, and returns what it reports (progress, counts and
// rejected rows, all on stderr: its stdout stays empty) and its error.
func runImport(t *testing.T, s *server, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	all := append([]string{"concierge", "import"}, args...)
	all = append(all, "--db", s.DB)
	err := run(context.Background(), all, func(string) string { return "" }, &stdout, &stderr)
	if stdout.Len() > 0 {
		t.Errorf("import wrote to stdout: %s", stdout.String())
	}
	return stderr.String(), err
}

// writeFile writes content to name in the server's directory and returns the path.
func writeFile(t *testing.T, s *server, name, content string) string {
	t.Helper()
	p := filepath.Join(s.Dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// staysCSV returns a stay file of n rows, BK-00000 … in rooms 1000 + i, current at the test
// clock's day (2026-11-25), in the four demo languages.
func staysCSV(n int, lastName func(i int) string) string {
	var b strings.Builder
	b.WriteString("booking_reference,room_number,first_name,last_name,language,arrival,departure\n")
	langs := []string{"es", "en-GB", "de", "fr"}
	for i := range n {
		fmt.Fprintf(&b, "BK-%05d,%d,Guest%d,%s,%s,2026-11-24,2026-11-28\n", i, 1000+i, i, lastName(i), langs[i%4])
	}
	return b.String()
}

const pathDemoStays, pathDemoOrders = "/api/v1/properties/DEMO/stays", "/api/v1/properties/DEMO/orders"

func TestImportStaysCLI(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	file := writeFile(t, s, "stays.csv", staysCSV(10000, func(i int) string { return fmt.Sprintf("Family%d", i) }))

	start := time.Now()
	out, err := runImport(t, s, "stays", file, "--property", "demo")
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	t.Logf("imported 10,000 stays in %s", elapsed)
	if !strings.Contains(out, ": 10000 created, 0 updated, 0 unchanged, 0 rejected.\n") {
		t.Fatalf("summary:\n%s", out)
	}
	// Not a terminal: a plain line every 1,000 rows.
	for i := 1000; i <= 10000; i += 1000 {
		if !strings.Contains(out, fmt.Sprintf("stays: %d/10000 rows\n", i)) {
			t.Fatalf("no progress line for %d:\n%s", i, out)
		}
	}
	if strings.Contains(out, "\r") {
		t.Fatalf("a progress bar on a non-terminal:\n%q", out)
	}

	// Re-importing the same file changes nothing.
	out, err = runImport(t, s, "--property", "DEMO", "stays", file)
	if err != nil || !strings.Contains(out, ": 0 created, 0 updated, 10000 unchanged, 0 rejected.\n") {
		t.Fatalf("re-import: %v\n%s", err, out)
	}

	// One changed row, as JSON this time: one updated, the rest unchanged.
	rows := []map[string]string{
		{"bookingReference": "BK-00007", "roomNumber": "1007", "firstName": "Guest7", "lastName": "Family7", "languageCode": "fr",
			"arrival": "2026-11-24", "departure": "2026-11-28"},
		{"bookingReference": "bk-00008", "roomNumber": "2008", "firstName": "Guest8", "lastName": "Family8", "languageCode": "es",
			"arrival": "2026-11-24", "departure": "2026-11-29"},
	}
	raw, _ := json.Marshal(rows)
	jsonFile := writeFile(t, s, "stays-update.data", string(raw)) // told JSON by its content
	out, err = runImport(t, s, "stays", jsonFile, "--property", "DEMO")
	if err != nil || !strings.Contains(out, "(JSON)") || !strings.Contains(out, ": 0 created, 1 updated, 1 unchanged, 0 rejected.\n") {
		t.Fatalf("JSON import: %v\n%s", err, out)
	}

	// The imported stays are the guests' identities: room 2008 now verifies as Family8.
	tok := s.loginRoom(t, "2008", "family8")
	if tok == "" {
		t.Fatal("no session")
	}
	admin := s.staffAs(t, "admin")
	want := api.Stay{BookingReference: "BK-00008", RoomNumber: "2008", FirstName: "Guest8", LastName: "Family8",
		LanguageCode: "es", Arrival: "2026-11-24", Departure: "2026-11-29"}
	if st, err := admin.Stay(t.Context(), "DEMO", "BK-00008"); err != nil || *st != want {
		t.Fatalf("stay: %+v %v", st, err)
	}
	if l, err := admin.Stays(t.Context(), "DEMO", client.StayFilter{Room: "1001"}, client.List{}); err != nil || len(l.Stays) != 1 || l.Stays[0].LanguageCode != "en" {
		t.Fatalf("room 1001 (en-GB served as en): %+v %v", l, err)
	}
}

func TestImportBadRowsCLI(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	file := writeFile(t, s, "bad.csv", "bookingReference,roomNumber,firstName,lastName,languageCode,arrival,departure\n"+
		"BK-G1,201,Ana,Good,es,2026-11-24,2026-11-28\n"+ // 2
		"BK-B1,202,Ana,,es,2026-11-24,2026-11-28\n"+ // 3: no last name
		"BK-B2,203,Ana,Bad,es,2026-13-01,2026-11-28\n"+ // 4: no such month
		"BK-B3,204,Ana,Bad,xx-!!,2026-11-24,2026-11-28\n"+ // 5: not a language
		"BK-B4,205,Ana,Bad,es,2026-11-28,2026-11-24\n"+ // 6: departs before arriving
		"BK-B5,206,Ana,Bad,es,2026-11-24\n"+ // 7: a column short
		"BK-B6,207,Ana,\xff\xfe,es,2026-11-24,2026-11-28\n"+ // 8: not UTF-8
		"BK-G2,208,Ana,Good,es,2026-11-24,2026-11-28\n") // 9
	out, err := runImport(t, s, "stays", file, "--property", "DEMO")
	if !errors.Is(err, errRowsRejected) {
		t.Fatalf("error %v, want errRowsRejected\n%s", err, out)
	}
	wantLines := "stays: 7/7 rows\n" +
		"Imported stays " + file + " (CSV) into DEMO in "
	if !strings.HasPrefix(out, wantLines) {
		t.Fatalf("output:\n%s", out)
	}
	_, tail, _ := strings.Cut(out, " rows\n")
	_, tail, _ = strings.Cut(tail, ": ")
	want := "2 created, 0 updated, 0 unchanged, 6 rejected.\n" +
		"  rejected line 3: lastName: is required\n" +
		"  rejected line 4: arrival: must be a date YYYY-MM-DD\n" +
		"  rejected line 5: languageCode: is not a known BCP 47 language tag\n" +
		"  rejected line 6: departure: must not be before arrival\n" +
		"  rejected line 7: has 6 columns, the header has 7\n" +
		"  rejected line 8: lastName: must be valid UTF-8\n"
	if tail != want {
		t.Fatalf("summary:\n%s\nwant:\n%s", tail, want)
	}
	admin := s.staffAs(t, "admin")
	for _, ref := range []string{"BK-G1", "BK-G2"} {
		if _, err := admin.Stay(t.Context(), "DEMO", ref); err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
	}
	for _, ref := range []string{"BK-B1", "BK-B2", "BK-B3", "BK-B4", "BK-B5", "BK-B6"} {
		_, err := admin.Stay(t.Context(), "DEMO", ref)
		admin.fail(t, err, http.StatusNotFound, "StayNotFound")
	}

	// Files that cannot be read at all import nothing.
	for name, content := range map[string]string{
		"nohead.csv":   "",
		"unknown.csv":  "bookingReference,roomNumber,lastName,arrival,departure,shoeSize\n",
		"object.json":  `{"bookingReference":"x"}`,
		"broken.json":  "[\n{\"bookingReference\": \"BK-X\"",
		"missing.csv":  "bookingReference,roomNumber,arrival,departure\nBK-X,1,2026-11-24,2026-11-28\n",
		"notthere.csv": "-",
	} {
		path := writeFile(t, s, name, content)
		if name == "notthere.csv" {
			path += ".gone"
		}
		if out, err := runImport(t, s, "stays", path, "--property", "DEMO"); err == nil || errors.Is(err, errRowsRejected) {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
	// Usage errors.
	for _, args := range [][]string{
		{"stays", file},                        // no property
		{"guests", file, "--property", "DEMO"}, // no such kind
		{"stays", "--property", "DEMO"},        // no file
		{"stays", file, "--property", "NOPE"},  // no such property
	} {
		if _, err := runImport(t, s, args...); err == nil || errors.Is(err, errRowsRejected) {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestImportOrdersCLI(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	file := writeFile(t, s, "orders.json", `[
  {"code": "ORD-2001", "bookingReference": "DEMO-102", "outletCode": "roomservice", "status": "Pending"},
  {"code": "ORD-1001", "bookingReference": "DEMO-101", "outletCode": "ROOMSERVICE", "status": "acknowledged"},
  {"code": "ORD-1002", "bookingReference": "DEMO-102", "outletCode": "ROOMSERVICE", "status": "Acknowledged"},
  {"code": "ORD-2002", "bookingReference": "DEMO-999", "outletCode": "ROOMSERVICE", "status": "Pending"},
  {"code": "ORD-2003", "bookingReference": "DEMO-103", "outletCode": "BAR", "status": "Pending"},
  {"code": "ORD-2004", "bookingReference": "DEMO-103", "outletCode": "SPA", "status": "Eaten"},
  {"code": "", "bookingReference": "DEMO-103", "outletCode": "SPA", "status": "Pending"}
]`)
	out, err := runImport(t, s, "orders", file, "--property", "DEMO")
	if !errors.Is(err, errRowsRejected) {
		t.Fatalf("error %v\n%s", err, out)
	}
	for _, want := range []string{
		": 1 created, 1 updated, 1 unchanged, 4 rejected.\n",
		"  rejected line 5: bookingReference: there is no stay 'DEMO-999' at this property\n",
		"  rejected line 6: outletCode: there is no outlet 'BAR' at this property\n",
		"  rejected line 7: status: must be one of Pending, Acknowledged, Delivering, Completed, Cancelled\n",
		"  rejected line 8: code: is required\n",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("no %q in:\n%s", want, out)
		}
	}
	// Re-import: nothing changes.
	out, _ = runImport(t, s, "orders", file, "--property", "DEMO")
	if !strings.Contains(out, ": 0 created, 0 updated, 3 unchanged, 4 rejected.\n") {
		t.Fatalf("re-import:\n%s", out)
	}
	// The same as CSV.
	csvFile := writeFile(t, s, "orders.csv", "code,bookingReference,outletCode,status\nORD-2001,DEMO-102,ROOMSERVICE,Pending\nORD-2005,DEMO-104,SPA,Completed\n")
	out, err = runImport(t, s, "orders", csvFile, "--property", "DEMO")
	if err != nil || !strings.Contains(out, ": 1 created, 0 updated, 1 unchanged, 0 rejected.\n") {
		t.Fatalf("CSV: %v\n%s", err, out)
	}
	admin := s.staffAs(t, "admin")
	if o, err := admin.Order(t.Context(), "DEMO", "ord-1001"); err != nil || o.Status != "Acknowledged" || o.BookingReference != "DEMO-101" ||
		o.OutletCode != "ROOMSERVICE" || o.Code != "ORD-1001" || !staffTime.MatchString(o.UpdatedAt) {
		t.Fatalf("ORD-1001: %+v %v", o, err)
	}
	if l, err := admin.Orders(t.Context(), "DEMO", "Pending", client.List{}); err != nil || len(l.Orders) != 1 || l.Orders[0].Code != "ORD-2001" {
		t.Fatalf("pending orders: %+v %v", l, err)
	}
}

// guestSession opens a verified demo session with an explicit language ("" for none).
func guestSession(t *testing.T, s *server, room, lastName, lang string) string {
	t.Helper()
	body := map[string]any{"PropertyCode": "DEMO", "InterfaceToken": demoToken, "RoomNumber": room, "LastName": lastName}
	if lang != "" {
		body["LanguageCode"] = lang
	}
	r := s.post(t, pathInitRoom, body)
	r.content(t, "initialiseSessionResponse")
	return r.token()
}

// systemMessages returns the System messages the guest sees, oldest first.
func systemMessages(t *testing.T, s *server, tok string) []api.GuestMessage {
	t.Helper()
	var out []api.GuestMessage
	for _, m := range need(s.guestAPI(t, tok).Messages(t.Context(), client.Page{}))(t).Messages {
		if m.MessageType == "System" {
			out = append(out, m)
		}
	}
	return out
}

func TestOrderStatusPostsSystemMessages(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffAs(t, "admin", client.WithHeader(lenientHeader, "1")) // order statuses in any letter case
	// Ana Garcia (es) opens two conversations about ORD-1001 and one about nothing; a second
	// session of hers, in Italian (no built-in text), opens a third about ORD-1001; John Smith
	// (room 102) has a conversation of his own.
	es := guestSession(t, s, "101", "Garcia", "")
	it := guestSession(t, s, "101", "Garcia", "it")
	smith := guestSession(t, s, "102", "Smith", "")
	for _, c := range []struct {
		tok, outlet, order string
	}{{es, "ROOMSERVICE", "ORD-1001"}, {es, "FRONTDESK", "ORD-1001"}, {es, "FRONTDESK", ""}, {it, "ROOMSERVICE", "ORD-1001"}, {smith, "ROOMSERVICE", "ORD-1002"}} {
		need(s.guestAPI(t, c.tok).CreateConversation(ctx, api.GuestCreateConversationRequest{OutletCode: c.outlet, Message: "Hola",
			ConversationType: "guest", OrderCode: c.order}, ""))(t)
	}

	put := func(status string) *api.OrderPut {
		t.Helper()
		o := need(admin.PutOrder(ctx, "DEMO", "ORD-1001", api.OrderRequest{BookingReference: "DEMO-101", OutletCode: "ROOMSERVICE", Status: status}))(t)
		if st := admin.last(t).Status; st != http.StatusOK {
			t.Fatalf("PUT: HTTP %d %+v", st, o)
		}
		return o
	}
	r := put("Delivering")
	if r.Result != "updated" || r.MessagesPosted != 3 {
		t.Fatalf("PUT: %+v", r)
	}
	raw := admin.last(t).Raw
	if got := keysOf(t, raw); !reflect.DeepEqual(got, []string{"result", "messagesPosted", "order"}) {
		t.Fatalf("keys %v", got)
	}
	if got := keysOf(t, rawPath(t, raw, "order")); !reflect.DeepEqual(got, []string{"code", "bookingReference", "outletCode", "status", "updatedAt"}) {
		t.Fatalf("order keys %v", got)
	}
	msgs := systemMessages(t, s, es)
	if len(msgs) != 3 {
		t.Fatalf("%d System messages, want 3 (every linked conversation): %v", len(msgs), msgs)
	}
	var langs []string
	for _, m := range msgs {
		langs = append(langs, m.LanguageCode+": "+m.Content)
		if m.IsTranslated || m.FirstName != "" || m.LastName != "" || m.IsRead {
			t.Errorf("System message %+v", m)
		}
	}
	// The guest's two Spanish conversations get Spanish, the Italian one English.
	want := []string{"es: Su pedido ORD-1001 está en camino.", "es: Su pedido ORD-1001 está en camino.", "en: Your order ORD-1001 is on its way."}
	if !reflect.DeepEqual(langs, want) {
		t.Fatalf("System messages %v\nwant %v", langs, want)
	}
	if n := len(systemMessages(t, s, smith)); n != 0 {
		t.Fatalf("Smith sees %d System messages", n)
	}

	// The same status again posts nothing.
	if r = put("delivering"); r.Result != "unchanged" || r.MessagesPosted != 0 {
		t.Fatalf("PUT again: %+v", r)
	}
	if n := len(systemMessages(t, s, es)); n != 3 {
		t.Fatalf("%d System messages after an unchanged status, want 3", n)
	}
	// An import that changes the status posts too.
	b := []byte(`[{"code":"ORD-1001","bookingReference":"DEMO-101","outletCode":"ROOMSERVICE","status":"Completed"}]`)
	if sum, err := admin.ImportOrders(ctx, "DEMO", "application/json", b); err != nil || admin.last(t).Status != http.StatusOK || sum.Updated != 1 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	msgs = systemMessages(t, s, es)
	if len(msgs) != 6 || msgs[5].Content != "Your order ORD-1001 has been delivered." || msgs[3].Content != "Su pedido ORD-1001 ha sido entregado." {
		t.Fatalf("after the import: %+v", msgs)
	}
}

func TestStaysOrdersAdminAPI(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffAs(t, "admin")
	putStay := func(ref string, body api.StayRequest) (*api.StayPut, int) {
		t.Helper()
		r := need(admin.PutStay(ctx, "DEMO", ref, body))(t)
		return r, admin.last(t).Status
	}
	stay := api.StayRequest{RoomNumber: " 301 ", FirstName: "Zoë", LastName: "Ñúñez", LanguageCode: "es-MX",
		Arrival: "2026-11-25", Departure: "2026-11-27"}
	r, status := putStay("API-1", stay)
	if status != http.StatusCreated || r.Result != "created" {
		t.Fatalf("create: HTTP %d %+v", status, r)
	}
	wantStay := api.Stay{BookingReference: "API-1", RoomNumber: "301", FirstName: "Zoë", LastName: "Ñúñez",
		LanguageCode: "es", Arrival: "2026-11-25", Departure: "2026-11-27"}
	if r.Stay != wantStay {
		t.Fatalf("stay %+v", r.Stay)
	}
	if got := keysOf(t, rawPath(t, admin.last(t).Raw, "stay")); !reflect.DeepEqual(got, []string{"bookingReference", "roomNumber", "firstName", "lastName", "languageCode", "arrival", "departure"}) {
		t.Fatalf("stay keys %v", got)
	}
	if r, status = putStay("api-1", stay); status != http.StatusOK || r.Result != "unchanged" {
		t.Fatalf("again: HTTP %d %+v", status, r)
	}
	stay.Departure = "2026-11-30"
	if r, status = putStay("API-1", stay); status != http.StatusOK || r.Result != "updated" {
		t.Fatalf("update: HTTP %d %+v", status, r)
	}

	// Paging by cursor: 5 demo stays and API-1.
	var refs []string
	next := ""
	for pages := 0; ; pages++ {
		l := need(admin.Stays(ctx, "DEMO", client.StayFilter{}, client.List{Limit: 4, Cursor: next}))(t)
		for _, st := range l.Stays {
			refs = append(refs, st.BookingReference)
		}
		next = l.NextCursor
		if next == "" || pages > 3 {
			break
		}
	}
	if want := []string{"DEMO-101", "DEMO-102", "DEMO-103", "DEMO-104", "DEMO-105", "API-1"}; !reflect.DeepEqual(refs, want) {
		t.Fatalf("stays %v", refs)
	}
	if l := need(admin.Stays(ctx, "DEMO", client.StayFilter{CurrentOn: "2026-11-29"}, client.List{}))(t); len(l.Stays) != 1 || l.Stays[0].BookingReference != "API-1" {
		t.Fatalf("current on 2026-11-29: %+v", l)
	}

	// Bulk, JSON and CSV.
	sum := need(admin.ImportStays(ctx, "DEMO", "application/json", []byte(`[
{"bookingReference":"API-2","roomNumber":"302","lastName":"Two","arrival":"2026-11-25","departure":"2026-11-26"},
{"bookingReference":"API-3","roomNumber":"303","lastName":"Three","arrival":"2026-11-25","departure":"2026-11-24"}
]`)))(t)
	if st := admin.last(t).Status; st != http.StatusOK {
		t.Fatalf("import: HTTP %d", st)
	}
	wantSum := api.ImportSummary{Created: 1, Rejected: []api.Rejection{{Line: 3, Reason: "departure: must not be before arrival"}}}
	if !reflect.DeepEqual(*sum, wantSum) {
		t.Fatalf("summary %+v", sum)
	}
	if got := keysOf(t, admin.last(t).Raw); !reflect.DeepEqual(got, []string{"created", "updated", "unchanged", "rejected"}) {
		t.Fatalf("summary keys %v", got)
	}
	sum = need(admin.ImportStays(ctx, "DEMO", "text/csv; charset=utf-8",
		[]byte("bookingReference,roomNumber,lastName,arrival,departure\nAPI-2,302,Two,2026-11-25,2026-11-26\nAPI-4,304,Four,2026-11-25,2026-11-26\n")))(t)
	if admin.last(t).Status != http.StatusOK || sum.Created != 1 || sum.Unchanged != 1 || sum.Rejected == nil || len(sum.Rejected) != 0 {
		t.Fatalf("CSV import: HTTP %d %+v", admin.last(t).Status, sum)
	}
	// The new stay's guest is default-language (en) when the file gives none.
	if st := need(admin.Stay(ctx, "DEMO", "API-4"))(t); st.LanguageCode != "en" {
		t.Fatalf("API-4: %+v", st)
	}

	// Orders: create, read.
	o := need(admin.PutOrder(ctx, "DEMO", "ORD-API-1", api.OrderRequest{BookingReference: "api-1", OutletCode: "spa", Status: "Pending"}))(t)
	if admin.last(t).Status != http.StatusCreated || o.Result != "created" || o.MessagesPosted != 0 {
		t.Fatalf("order: HTTP %d %+v", admin.last(t).Status, o)
	}
	if o := o.Order; o.BookingReference != "API-1" || o.OutletCode != "SPA" || o.Code != "ORD-API-1" {
		t.Fatalf("order %+v", o)
	}
	l := need(admin.Orders(ctx, "DEMO", "", client.List{Limit: 2}))(t)
	if len(l.Orders) != 2 || l.NextCursor == "" {
		t.Fatalf("orders page: %+v", l)
	}
	if l = need(admin.Orders(ctx, "DEMO", "", client.List{Limit: 2, Cursor: l.NextCursor}))(t); len(l.Orders) != 1 || l.Orders[0].Code != "ORD-API-1" || l.NextCursor != "" {
		t.Fatalf("orders page 2: %+v", l)
	}
}

func TestStaysOrdersBadInput(t *testing.T) {
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	h := bearer(admin)
	with := func(ct string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + admin, "Content-Type": ct}
	}
	okStay := `{"roomNumber":"1","lastName":"X","arrival":"2026-11-25","departure":"2026-11-26"}`
	big := []byte(`{"roomNumber":"` + strings.Repeat("1", 70<<10) + `"}`)
	hugeImport := append([]byte("["), bytes.Repeat([]byte(`{"bookingReference":"x"},`), (9<<20)/25)...)
	hugeImport = append(hugeImport, []byte(`{}]`)...)
	cases := []struct {
		name         string
		method, path string
		body         []byte
		header       map[string]string
		status       int
		code         string
		fields       []string
	}{
		{"stay: wrong type", "PUT", pathDemoStays + "/X", []byte(`{"roomNumber":101,"lastName":"X","arrival":"2026-11-25","departure":"2026-11-26"}`), h, 400, "MalformedRequest", []string{"roomNumber"}},
		{"stay: not JSON", "PUT", pathDemoStays + "/X", []byte(`{"roomNumber":`), h, 400, "MalformedRequest", nil},
		{"stay: bad dates", "PUT", pathDemoStays + "/X", []byte(`{"roomNumber":"1","lastName":"X","arrival":"25/11/2026","departure":"2026-02-30"}`), h, 400, "ValidationFailed", []string{"arrival", "departure"}},
		{"stay: departure before arrival", "PUT", pathDemoStays + "/X", []byte(`{"roomNumber":"1","lastName":"X","arrival":"2026-11-26","departure":"2026-11-25"}`), h, 400, "ValidationFailed", []string{"departure"}},
		{"stay: missing fields, bad language", "PUT", pathDemoStays + "/X", []byte(`{"languageCode":"klingon!"}`), h, 400, "ValidationFailed", []string{"roomNumber", "lastName", "languageCode", "arrival", "departure"}},
		{"stay: reference too long", "PUT", pathDemoStays + "/" + strings.Repeat("R", 201), []byte(okStay), h, 400, "ValidationFailed", []string{"bookingReference"}},
		{"stay: bad UTF-8", "PUT", pathDemoStays + "/X", []byte("{\"roomNumber\":\"\xff\"}"), h, 400, "ValidationFailed", []string{"body"}},
		{"stay: oversize", "PUT", pathDemoStays + "/X", big, h, 413, "PayloadTooLarge", nil},
		{"stay: not JSON media type", "PUT", pathDemoStays + "/X", []byte(okStay), with("text/plain"), 415, "UnsupportedMediaType", nil},
		{"stay: unknown", "GET", pathDemoStays + "/NOPE", nil, h, 404, "StayNotFound", nil},
		{"stays: bad cursor", "GET", pathDemoStays + "?cursor=abc", nil, h, 400, "ValidationFailed", []string{"cursor"}},
		{"stays: order cursor", "GET", pathDemoStays + "?cursor=b3I6MQ", nil, h, 400, "ValidationFailed", []string{"cursor"}},
		{"stays: bad limit", "GET", pathDemoStays + "?limit=201", nil, h, 400, "ValidationFailed", []string{"limit"}},
		{"stays: limit not a number", "GET", pathDemoStays + "?limit=ten", nil, h, 400, "ValidationFailed", []string{"limit"}},
		{"stays: bad day", "GET", pathDemoStays + "?currentOn=tomorrow", nil, h, 400, "ValidationFailed", []string{"currentOn"}},
		{"stays import: not an array", "POST", pathDemoStays + "/import", []byte(`{"bookingReference":"x"}`), h, 400, "ValidationFailed", []string{"file"}},
		{"stays import: bad UTF-8", "POST", pathDemoStays + "/import", []byte("bookingReference,roomNumber,lastName,arrival,departure\n\xff,1,X,2026-11-25,2026-11-26\n"), with("text/csv"), 400, "ValidationFailed", []string{"body"}},
		{"stays import: unknown column", "POST", pathDemoStays + "/import", []byte("bookingReference,roomNumber,lastName,arrival,departure,x\n"), with("text/csv"), 400, "ValidationFailed", []string{"file"}},
		{"stays import: oversize", "POST", pathDemoStays + "/import", hugeImport, h, 413, "PayloadTooLarge", nil},
		{"stays import: media type", "POST", pathDemoStays + "/import", []byte(`[]`), with("application/xml"), 415, "UnsupportedMediaType", nil},
		{"order: wrong type", "PUT", pathDemoOrders + "/O-1", []byte(`{"bookingReference":"DEMO-101","outletCode":"SPA","status":1}`), h, 400, "MalformedRequest", []string{"status"}},
		{"order: bad status", "PUT", pathDemoOrders + "/O-1", []byte(`{"bookingReference":"DEMO-101","outletCode":"SPA","status":"Eaten"}`), h, 400, "ValidationFailed", []string{"status"}},
		{"order: unknown stay and outlet", "PUT", pathDemoOrders + "/O-1", []byte(`{"bookingReference":"DEMO-999","outletCode":"BAR","status":"Pending"}`), h, 400, "ValidationFailed", []string{"bookingReference", "outletCode"}},
		{"order: missing", "PUT", pathDemoOrders + "/O-1", []byte(`{}`), h, 400, "ValidationFailed", []string{"bookingReference", "outletCode", "status"}},
		{"order: bad UTF-8", "PUT", pathDemoOrders + "/O-1", []byte("{\"status\":\"\xc3\x28\"}"), h, 400, "ValidationFailed", []string{"body"}},
		{"order: oversize", "PUT", pathDemoOrders + "/O-1", big, h, 413, "PayloadTooLarge", nil},
		{"order: unknown", "GET", pathDemoOrders + "/NOPE", nil, h, 404, "OrderNotFound", nil},
		{"orders: bad status filter", "GET", pathDemoOrders + "?status=Eaten", nil, h, 400, "ValidationFailed", []string{"status"}},
		{"orders: stay cursor", "GET", pathDemoOrders + "?cursor=c3Q6MQ", nil, h, 400, "ValidationFailed", []string{"cursor"}},
		{"orders import: broken JSON", "POST", pathDemoOrders + "/import", []byte("[\n{"), h, 400, "ValidationFailed", []string{"file"}},
		{"orders import: oversize", "POST", pathDemoOrders + "/import", hugeImport, h, 413, "PayloadTooLarge", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := s.do(t, c.method, c.path, c.body, c.header).wantStaffError(t, c.status, c.code)
			if c.fields != nil && !reflect.DeepEqual(fieldsOf(e), c.fields) {
				t.Fatalf("fields %v, want %v: %v", fieldsOf(e), c.fields, e)
			}
		})
	}
	// Nothing of the failed writes was stored.
	r := s.do(t, http.MethodGet, pathDemoOrders+"/O-1", nil, h)
	r.wantStaffError(t, http.StatusNotFound, "OrderNotFound")
}

func TestStaysOrdersAuthorisation(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	agent := s.staffLogin(t, "frontdesk")

	// A second property, and manager API keys of each.
	db := openTestStore(t, s.DB)
	other := concierge.Property{Code: "OTHER", Name: "Other Hotel", BrandCode: "B", GroupCode: "G", TimeZone: "Europe/Madrid",
		DefaultLanguage: "en", CreatedAt: time.Now()}
	if err := db.CreateProperty(context.Background(), &other); err != nil {
		t.Fatal(err)
	}
	db.Close()
	admins := s.staffAPI(t, admin)
	key := func(property string) string {
		k := need(admins.CreateAPIKey(t.Context(), api.APIKeyRequest{Name: "PMS " + property, Role: "manager", Properties: []string{property}}))(t)
		if st := admins.last(t).Status; st != http.StatusCreated {
			t.Fatalf("key: HTTP %d %+v", st, k)
		}
		return k.Secret
	}
	demoKey, otherKey := key("DEMO"), key("OTHER")

	stayBody := []byte(`{"roomNumber":"401","lastName":"Authz","arrival":"2026-11-25","departure":"2026-11-26"}`)
	orderBody := []byte(`{"bookingReference":"DEMO-101","outletCode":"ROOMSERVICE","status":"Pending"}`)
	routes := []struct {
		method, path string
		body         []byte
		okStatus     int
	}{
		{"GET", pathDemoStays, nil, 200},
		{"GET", pathDemoStays + "/DEMO-101", nil, 200},
		{"PUT", pathDemoStays + "/AUTHZ-1", stayBody, 200},
		{"POST", pathDemoStays + "/import", []byte(`[]`), 200},
		{"GET", pathDemoOrders, nil, 200},
		{"GET", pathDemoOrders + "/ORD-1001", nil, 200},
		{"PUT", pathDemoOrders + "/ORD-1001", orderBody, 200},
		{"POST", pathDemoOrders + "/import", []byte(`[]`), 200},
	}
	callers := []struct {
		name   string
		header map[string]string
		status int
		code   string
	}{
		{"admin", bearer(admin), 0, ""},
		{"manager key of DEMO", bearer(demoKey), 0, ""},
		{"agent", bearer(agent), http.StatusForbidden, "Forbidden"},
		{"manager key of another property", bearer(otherKey), http.StatusNotFound, "PropertyNotFound"},
		{"nobody", nil, http.StatusUnauthorized, "AuthenticationFailed"},
	}
	for _, rt := range routes {
		for _, c := range callers {
			t.Run(c.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
				r := s.do(t, rt.method, rt.path, rt.body, c.header)
				if c.status != 0 {
					r.wantStaffError(t, c.status, c.code)
					if bytes.Contains(r.Raw, []byte("Garcia")) || bytes.Contains(r.Raw, []byte("DEMO-101")) {
						t.Fatalf("leak: %s", r.Raw)
					}
					return
				}
				if r.Status != rt.okStatus && (r.Status != http.StatusCreated || rt.method != "PUT") {
					t.Fatalf("HTTP %d %s", r.Status, r.Raw)
				}
			})
		}
	}
	// The other property's key reaches its own property (empty), and an unknown property is 404
	// for everyone allowed.
	r := s.do(t, http.MethodGet, "/api/v1/properties/OTHER/stays", nil, bearer(otherKey))
	if r.Status != http.StatusOK || len(r.Body["stays"].([]any)) != 0 {
		t.Fatalf("OTHER stays: HTTP %d %s", r.Status, r.Raw)
	}
	s.do(t, http.MethodGet, "/api/v1/properties/OTHER/stays", nil, bearer(demoKey)).wantStaffError(t, http.StatusNotFound, "PropertyNotFound")
	s.do(t, http.MethodGet, "/api/v1/properties/NOPE/orders", nil, bearer(admin)).wantStaffError(t, http.StatusNotFound, "PropertyNotFound")
	// The agent is refused before the body is looked at.
	s.do(t, http.MethodPost, pathDemoStays+"/import", []byte(`{not json`), bearer(agent)).wantStaffError(t, http.StatusForbidden, "Forbidden")
}

func TestImportProgress(t *testing.T) {
	var b bytes.Buffer
	bar := &progress{w: &b, what: "stays", terminal: true}
	bar.report(0, 1000)
	bar.report(500, 1000)
	bar.report(1000, 1000)
	bar.finish()
	want := "\rstays [..............................]   0% 0/1000" +
		"\rstays [###############...............]  50% 500/1000" +
		"\rstays [##############################] 100% 1000/1000\n"
	if b.String() != want {
		t.Fatalf("bar %q\nwant %q", b.String(), want)
	}
	b.Reset()
	lines := &progress{w: &b, what: "orders"}
	for _, done := range []int{0, 500, 1000, 1500, 2000, 2300} {
		lines.report(done, 2300)
	}
	lines.finish()
	if want := "orders: 1000/2300 rows\norders: 2000/2300 rows\norders: 2300/2300 rows\n"; b.String() != want {
		t.Fatalf("lines %q\nwant %q", b.String(), want)
	}
	// A file (not a terminal) gets lines.
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if newProgress(f, "stays").terminal {
		t.Fatal("a regular file taken for a terminal")
	}
}

// Concurrent status changes of one order: every change that answers "updated" posted its
// messages, and no message was posted by a write that lost a race.
func TestConcurrentOrderStatusChanges(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true, env: map[string]string{"CONCIERGE_RATE_ADDRESS": "0"}})
	admin := s.staffAs(t, "admin")
	ana := s.guestAt(t, "101", "Garcia")
	need(ana.CreateConversation(t.Context(), api.GuestCreateConversationRequest{OutletCode: "ROOMSERVICE", OrderCode: "ORD-1001"}, ""))(t)
	statuses := []string{"Acknowledged", "Delivering", "Completed", "Cancelled"}
	posted := make(chan int, 40)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			// One client per writer: a client's last exchange is its own call's.
			c := s.staffAPI(t, admin.Token())
			r, err := c.PutOrder(t.Context(), "DEMO", "ORD-1001", api.OrderRequest{BookingReference: "DEMO-101", OutletCode: "ROOMSERVICE", Status: statuses[i%4]})
			if err != nil || c.wire.answer().Status != http.StatusOK {
				t.Errorf("HTTP %d %v", c.wire.answer().Status, err)
				return
			}
			if (r.Result == "updated") != (r.MessagesPosted == 1) {
				t.Errorf("result %v with %v messages", r.Result, r.MessagesPosted)
			}
			posted <- r.MessagesPosted
		})
	}
	wg.Wait()
	close(posted)
	total := 0
	for n := range posted {
		total += n
	}
	if got := len(systemMessages(t, s, ana.Token())); got != total || got == 0 {
		t.Fatalf("%d System messages, the answers said %v", got, total)
	}
}
