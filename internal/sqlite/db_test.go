package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/storetest"
)

// testLogger logs to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// TestMain removes the migrated database file the tests copy (migratedFile).
func TestMain(m *testing.M) {
	code := m.Run()
	if dir := migrated.dir; dir != "" {
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintf(os.Stderr, "removing the migrated database: %v\n", err)
		}
	}
	os.Exit(code)
}

// migrated is a database with the migrations applied, made once per test process: openTemp
// copies it, since migrating a database costs about a second under the race detector.
var migrated struct {
	once sync.Once
	dir  string // its directory, removed by TestMain
	file []byte // the closed database's file (its WAL checkpointed into it)
	err  error
}

// migratedFile returns the contents of a closed database file with the migrations applied.
func migratedFile(t *testing.T) []byte {
	t.Helper()
	migrated.once.Do(func() {
		migrated.dir, migrated.err = os.MkdirTemp("", "concierge-sqlite-test-")
		if migrated.err != nil {
			return
		}
		path := filepath.Join(migrated.dir, "concierge.db")
		db, err := Open(context.Background(), path, nil)
		if err != nil {
			migrated.err = err
			return
		}
		if err := db.Close(); err != nil {
			migrated.err = err
			return
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			migrated.err = errors.New("the closed database left its WAL behind")
			return
		}
		migrated.file, migrated.err = os.ReadFile(path)
	})
	if migrated.err != nil {
		t.Fatalf("migrated database: %v", migrated.err)
	}
	return migrated.file
}

// openTemp opens a fresh database with the migrations applied (a copy of migratedFile) in a
// temporary directory, closed when the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "concierge.db")
	if err := os.WriteFile(path, migratedFile(t), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(t.Context(), path, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) concierge.Store { return openTemp(t) })
}

func TestMigrationsAppliedOnce(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.db")
	n, err := Migrate(t.Context(), path, testLogger(t))
	if err != nil || n != len(ms) {
		t.Fatalf("first Migrate = %d, %v; want %d, nil", n, err, len(ms))
	}
	n, err = Migrate(t.Context(), path, testLogger(t))
	if err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
	}
	db, err := Open(t.Context(), path, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.readers.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", rows, len(ms))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	n, err = Migrate(t.Context(), path, testLogger(t))
	if err != nil || n != 0 {
		t.Fatalf("Migrate after Open = %d, %v; want 0, nil", n, err)
	}
}

func TestMigrationFilesAreOrdered(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.Version != i+1 {
			t.Errorf("migration %s has version %d, want %d: versions run 1, 2, 3 … without gaps", m.Name, m.Version, i+1)
		}
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping on a migrated database: %v", err)
	}
	latest, err := latestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = ?`, latest); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping succeeded without the latest migration")
	}
	if _, err := db.writer.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, latest); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping after restoring the migration: %v", err)
	}

	closed, err := Open(ctx, filepath.Join(t.TempDir(), "closed.db"), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	if err := closed.Ping(ctx); err == nil {
		t.Error("Ping succeeded on a closed database")
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "dir with spaces?and#odd ✓", "concierge.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	p := concierge.Property{Code: "DEMO", Name: "Demo", TimeZone: "UTC", DefaultLanguage: "en", CreatedAt: time.Unix(0, 1737186757092395123).UTC()}
	if err := db.CreateProperty(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at its path: %v", err)
	}

	db, err = Open(ctx, path, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.PropertyByCode(ctx, "demo")
	if err != nil {
		t.Fatalf("PropertyByCode after re-open: %v", err)
	}
	if !reflect.DeepEqual(got, p) { // nanoseconds are kept
		t.Errorf("after re-open got %+v, want %+v", got, p)
	}
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing-dir", "x.db")
	if db, err := Open(t.Context(), path, nil); err == nil {
		_ = db.Close()
		t.Fatal("Open succeeded in a directory that does not exist")
	}
	if _, err := Migrate(t.Context(), path, nil); err == nil {
		t.Fatal("Migrate succeeded in a directory that does not exist")
	}
}

func TestConnectionPragmas(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	for _, c := range []struct {
		name string
		pool *sql.DB
	}{{"writer", db.writer}, {"reader", db.readers}} {
		var mode string
		var fk, sync, busy int
		row := c.pool.QueryRowContext(ctx, `SELECT * FROM pragma_journal_mode, pragma_foreign_keys,
			pragma_synchronous, pragma_busy_timeout`)
		if err := row.Scan(&mode, &fk, &sync, &busy); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if mode != "wal" || fk != 1 || sync != 2 || busy != 10000 {
			t.Errorf("%s: journal_mode %s, foreign_keys %d, synchronous %d, busy_timeout %d; want wal, 1, 2 (FULL), 10000",
				c.name, mode, fk, sync, busy)
		}
	}
	if _, err := db.readers.ExecContext(ctx, `INSERT INTO guests (property_id, identifier, created_at) VALUES (1, 'x', 0)`); err == nil {
		t.Error("a reader connection could write")
	}
	if db.writer.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool allows %d connections, want 1", db.writer.Stats().MaxOpenConnections)
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	sc := concierge.ServiceCenter{PropertyID: 12345, Code: "FO", Name: "Front Office", StaffLanguage: "en"}
	err := db.CreateServiceCenter(t.Context(), &sc)
	if err == nil {
		t.Fatal("a service center of a property that does not exist was stored")
	}
	if errors.Is(err, concierge.ErrConflict) || errors.Is(err, concierge.ErrNotFound) {
		t.Errorf("a foreign key violation was mapped to %v", err)
	}
}

// conversationByID reads a conversation back: the Store has no getter for it yet.
func conversationByID(t *testing.T, db *DB, id int64) concierge.Conversation {
	t.Helper()
	var c concierge.Conversation
	var order, stay, guest, assignee sql.NullInt64
	var status string
	var form []byte
	var created, updated int64
	err := db.readers.QueryRowContext(t.Context(), `SELECT id, code, property_id, outlet_id, order_id,
		stay_id, guest_id, subject, status, type, assignee_id, guest_first_name, guest_last_name,
		guest_language, order_form, created_at, updated_at FROM conversations WHERE id = ?`, id).
		Scan(&c.ID, &c.Code, &c.PropertyID, &c.OutletID, &order, &stay, &guest, &c.Subject, &status,
			&c.Type, &assignee, &c.GuestFirstName, &c.GuestLastName, &c.GuestLanguage, &form, &created, &updated)
	if err != nil {
		t.Fatalf("conversation %d: %v", id, err)
	}
	c.OrderID, c.StayID, c.GuestID, c.AssigneeID = nullIDOf(order), nullIDOf(stay), nullIDOf(guest), nullIDOf(assignee)
	c.Status, c.CreatedAt, c.UpdatedAt = concierge.ConversationStatus(status), timeOf(created), timeOf(updated)
	if form != nil {
		c.OrderForm = form
	}
	return c
}

func TestConversationRoundTrip(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	p := concierge.Property{Code: "P", Name: "P", TimeZone: "UTC", DefaultLanguage: "en"}
	must(t, db.CreateProperty(ctx, &p))
	sc := concierge.ServiceCenter{PropertyID: p.ID, Code: "FO", Name: "FO", StaffLanguage: "en"}
	must(t, db.CreateServiceCenter(ctx, &sc))
	o := concierge.Outlet{PropertyID: p.ID, Code: "FD", Name: "FD", ServiceCenterID: sc.ID}
	must(t, db.CreateOutlet(ctx, &o))
	st := concierge.Stay{PropertyID: p.ID, RoomNumber: "1", Arrival: "2025-01-01", Departure: "2025-01-02"}
	must(t, db.CreateStay(ctx, &st))
	g, err := db.EnsureGuest(ctx, p.ID, "g", time.Time{})
	must(t, err)
	ord := concierge.Order{PropertyID: p.ID, Code: "O", Status: concierge.OrderPending}
	must(t, db.CreateOrder(ctx, &ord))
	u := concierge.StaffUser{Username: "u", Role: concierge.RoleAgent}
	must(t, concierge.NewCredentials(db, nil).CreateStaffUser(ctx, &u, nil))

	now := time.Date(2025, 1, 18, 7, 52, 37, 92395912, time.UTC)
	full := concierge.Conversation{Code: "C1", PropertyID: p.ID, OutletID: o.ID, OrderID: &ord.ID,
		StayID: &st.ID, GuestID: &g.ID, Subject: "Sujet – ✓", Status: concierge.ConversationClosed,
		Type: "guest", AssigneeID: &u.ID, GuestFirstName: "Zoë", GuestLastName: "Ñ",
		GuestLanguage: "fr", OrderForm: json.RawMessage(`{"firstName":"Zoë","n":[1,2.5,null]}`),
		CreatedAt: now, UpdatedAt: now.Add(time.Second)}
	must(t, concierge.NewConversations(db).Create(ctx, &full, nil))
	if got := conversationByID(t, db, full.ID); !reflect.DeepEqual(got, full) {
		t.Errorf("conversation round trip:\n got %+v\nwant %+v", got, full)
	}
	bare := concierge.Conversation{Code: "C2", PropertyID: p.ID, OutletID: o.ID, Status: concierge.ConversationOpen, CreatedAt: now, UpdatedAt: now}
	must(t, concierge.NewConversations(db).Create(ctx, &bare, nil))
	if got := conversationByID(t, db, bare.ID); !reflect.DeepEqual(got, bare) {
		t.Errorf("bare conversation round trip:\n got %+v\nwant %+v", got, bare)
	}

	bad := concierge.Conversation{Code: "C3", PropertyID: p.ID, OutletID: o.ID, OrderForm: json.RawMessage(`{not json`)}
	if err := concierge.NewConversations(db).Create(ctx, &bad, nil); err == nil {
		t.Error("a conversation with an order form that is not JSON was stored")
	}
}

func TestMessageSequence(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	p := concierge.Property{Code: "P", Name: "P", TimeZone: "UTC", DefaultLanguage: "en"}
	must(t, db.CreateProperty(ctx, &p))
	sc := concierge.ServiceCenter{PropertyID: p.ID, Code: "FO", Name: "FO", StaffLanguage: "en"}
	must(t, db.CreateServiceCenter(ctx, &sc))
	o := concierge.Outlet{PropertyID: p.ID, Code: "FD", Name: "FD", ServiceCenterID: sc.ID}
	must(t, db.CreateOutlet(ctx, &o))
	c := concierge.Conversation{Code: "C", PropertyID: p.ID, OutletID: o.ID, Status: concierge.ConversationOpen}
	first := concierge.Message{Code: "M1", Type: concierge.MessageGuest}
	must(t, concierge.NewConversations(db).Create(ctx, &c, &first))
	other := concierge.Conversation{Code: "D", PropertyID: p.ID, OutletID: o.ID, Status: concierge.ConversationOpen}
	must(t, concierge.NewConversations(db).Create(ctx, &other, nil))

	var seqs []int64
	for i, conv := range []int64{c.ID, c.ID, other.ID, c.ID} {
		m := concierge.Message{Code: "N" + strings.Repeat("x", i), Type: concierge.MessageStaff}
		must(t, db.write(ctx, func(tx *sql.Tx) error {
			_, seq, err := db.insertMessage(ctx, tx, conv, &m)
			seqs = append(seqs, seq)
			return err
		}))
	}
	if want := []int64{2, 3, 1, 4}; !reflect.DeepEqual(seqs, want) {
		t.Errorf("sequence numbers %v, want %v", seqs, want)
	}
}

func TestZeroAndNilTimes(t *testing.T) {
	t.Parallel()
	for _, tm := range []time.Time{{}, time.Unix(0, 1).UTC(), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if got := timeOf(timeArg(tm)); !got.Equal(tm) || got.IsZero() != tm.IsZero() {
			t.Errorf("time %v came back as %v", tm, got)
		}
	}
	if nullTimeArg(nil) != nil || nullTimeOf(sql.NullInt64{}) != nil {
		t.Error("nil times are not NULL")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSessionIDCollision(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	draws := []int64{42, 42, 42, 7}
	db.sessionID = func() (int64, error) {
		id := draws[0]
		draws = draws[1:]
		return id, nil
	}
	p := concierge.Property{Code: "P", Name: "P", TimeZone: "UTC", DefaultLanguage: "en"}
	must(t, db.CreateProperty(ctx, &p))
	a := concierge.Session{PropertyID: p.ID, Language: "en"}
	must(t, concierge.NewGuestSessions(db).Create(ctx, &a))
	b := concierge.Session{PropertyID: p.ID, Language: "de"}
	must(t, concierge.NewGuestSessions(db).Create(ctx, &b))
	if a.ID != 42 || b.ID != 7 || len(draws) != 0 {
		t.Errorf("ids %d, %d after draws; want 42, then 7 after two collisions", a.ID, b.ID)
	}
	got, err := db.SessionByID(ctx, 7)
	must(t, err)
	if got.Language != "de" {
		t.Errorf("session 7 = %+v", got)
	}

	db.sessionID = func() (int64, error) { return 42, nil }
	c := concierge.Session{PropertyID: p.ID, Language: "fr"}
	if err := concierge.NewGuestSessions(db).Create(ctx, &c); err == nil || errors.Is(err, concierge.ErrConflict) || c.ID != 0 {
		t.Errorf("CreateSession with only taken ids: %v, id %d; want a plain error", err, c.ID)
	}
}
