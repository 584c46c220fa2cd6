package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/pgtest"
	"concierge/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// migrated is the template of the tests' databases: the schema's migrations, applied once per
// test process.
var migrated = pgtest.NewTemplate(func(ctx context.Context, dsn string) error {
	db, err := Open(ctx, dsn, nil)
	if err != nil {
		return err
	}
	return db.Close()
})

// newDatabase returns the DSN of a fresh database of the test's own with the schema's
// migrations applied, dropped when the test ends. Tests of the migrations themselves use
// pgtest.NewDatabase (empty) instead.
func newDatabase(t testing.TB) string {
	t.Helper()
	return migrated.NewDatabase(t)
}

// testLogger logs to the test's output.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openDSN opens the database at dsn, closed when the test ends.
func openDSN(t *testing.T, dsn string) *DB {
	t.Helper()
	return openDSNTB(t, dsn)
}

// openDSNTB is openDSN for any test or fuzz target.
func openDSNTB(t testing.TB, dsn string) *DB {
	t.Helper()
	db, err := Open(t.Context(), dsn, testLogger(t))
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

// openTemp opens a fresh migrated database of its own, dropped when the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	return openDSN(t, newDatabase(t))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) concierge.Store { return openTemp(t) })
}

// TestMigrateConcurrently opens one fresh database from several nodes at once: each migration
// is applied exactly once and every node works.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	ms, err := migrations()
	must(t, err)
	const nodes = 4
	dbs := make([]*DB, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { dbs[i], errs[i] = Open(t.Context(), dsn, testLogger(t)) })
	}
	wg.Wait()
	for i := range nodes {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		defer dbs[i].Close()
		must(t, dbs[i].Ping(t.Context()))
	}
	var rows, distinct int
	must(t, dbs[0].pool.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct))
	if rows != len(ms) || distinct != len(ms) {
		t.Errorf("schema_migrations has %d rows (%d versions), want %d", rows, distinct, len(ms))
	}
	applied, err := migrate(t.Context(), dbs[0].pool, testLogger(t))
	if err != nil || applied != 0 {
		t.Errorf("migrate on a current schema = %d, %v; want 0, nil", applied, err)
	}
}

// TestMigrationFilesAreOrdered checks that the store's migrations run 1, 2, 3 … without gaps.
func TestMigrationFilesAreOrdered(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	must(t, err)
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
	must(t, db.Ping(ctx))
	latest, err := latestVersion()
	must(t, err)
	_, err = db.pool.Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, latest)
	must(t, err)
	if err := db.Ping(ctx); err == nil {
		t.Error("Ping succeeded without the latest migration")
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, latest)
	must(t, err)
	must(t, db.Ping(ctx))

	closed, err := Open(ctx, newDatabase(t), testLogger(t))
	must(t, err)
	must(t, closed.Close())
	if err := closed.Ping(ctx); err == nil {
		t.Error("Ping succeeded on a closed database")
	}
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, dsn := range []string{
		"postgres://%zz", // not a DSN
		"postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", // nothing listens
	} {
		if db, err := Open(ctx, dsn, nil); err == nil {
			_ = db.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	// A database that does not exist on a server that does.
	dsn, err := pgtest.WithDatabase(pgtest.ServerDSN(t), "concierge_no_such_database")
	must(t, err)
	if db, err := Open(ctx, dsn, nil); err == nil {
		_ = db.Close()
		t.Error("Open of a database that does not exist succeeded")
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

// world is a property with a service center and an outlet.
type world struct {
	p  concierge.Property
	sc concierge.ServiceCenter
	o  concierge.Outlet
}

func newWorld(t *testing.T, db *DB) world {
	t.Helper()
	ctx := t.Context()
	var w world
	w.p = concierge.Property{Code: "P", Name: "P", TimeZone: "UTC", DefaultLanguage: "en"}
	must(t, db.CreateProperty(ctx, &w.p))
	w.sc = concierge.ServiceCenter{PropertyID: w.p.ID, Code: "FO", Name: "FO", StaffLanguage: "en"}
	must(t, db.CreateServiceCenter(ctx, &w.sc))
	w.o = concierge.Outlet{PropertyID: w.p.ID, Code: "FD", Name: "FD", ServiceCenterID: w.sc.ID}
	must(t, db.CreateOutlet(ctx, &w.o))
	return w
}

func TestConversationRoundTrip(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	w := newWorld(t, db)
	now := time.Date(2025, 1, 18, 7, 52, 37, 92395000, time.UTC)
	form := `{"firstName":"Zoë", "n":[1,2.5,null]}` // kept byte for byte
	full := concierge.Conversation{Code: "C1", PropertyID: w.p.ID, OutletID: w.o.ID, Subject: "Sujet – ✓",
		Status: concierge.ConversationClosed, Type: "guest", GuestFirstName: "Zoë", GuestLastName: "Ñ",
		GuestLanguage: "fr", OrderForm: []byte(form), CreatedAt: now, UpdatedAt: now.Add(time.Second)}
	must(t, concierge.NewConversations(db).Create(ctx, &full, nil))
	got, err := db.ConversationByID(ctx, full.ID)
	must(t, err)
	if !reflect.DeepEqual(got, full) {
		t.Errorf("conversation round trip:\n got %+v\nwant %+v", got, full)
	}
	bad := concierge.Conversation{Code: "C3", PropertyID: w.p.ID, OutletID: w.o.ID, OrderForm: []byte(`{not json`)}
	if err := concierge.NewConversations(db).Create(ctx, &bad, nil); err == nil {
		t.Error("a conversation with an order form that is not JSON was stored")
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
	w := newWorld(t, db)
	a := concierge.Session{PropertyID: w.p.ID, Language: "en"}
	must(t, concierge.NewGuestSessions(db).Create(ctx, &a))
	b := concierge.Session{PropertyID: w.p.ID, Language: "de"}
	must(t, concierge.NewGuestSessions(db).Create(ctx, &b))
	if a.ID != 42 || b.ID != 7 || len(draws) != 0 {
		t.Errorf("ids %d, %d after draws; want 42, then 7 after two collisions", a.ID, b.ID)
	}
	db.sessionID = func() (int64, error) { return 42, nil }
	c := concierge.Session{PropertyID: w.p.ID, Language: "fr"}
	if err := concierge.NewGuestSessions(db).Create(ctx, &c); err == nil || errors.Is(err, concierge.ErrConflict) || c.ID != 0 {
		t.Errorf("CreateSession with only taken ids: %v, id %d; want a plain error", err, c.ID)
	}
}

// TestConcurrentAddMessage appends messages to one conversation from many goroutines: the
// conversation's row lock gives them distinct, gapless sequence numbers.
func TestConcurrentAddMessage(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	w := newWorld(t, db)
	c := concierge.Conversation{Code: "C", PropertyID: w.p.ID, OutletID: w.o.ID, Status: concierge.ConversationOpen}
	must(t, concierge.NewConversations(db).Create(ctx, &c, nil))
	const n = 40
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			m := concierge.Message{Code: fmt.Sprintf("M%d", i), ConversationID: c.ID, Type: concierge.MessageGuest}
			errs[i] = concierge.NewConversations(db).AddMessage(ctx, &m, concierge.ConversationOpen, time.Now())
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddMessage %d: %v", i, err)
		}
	}
	msgs, err := db.ConversationMessages(ctx, c.ID, true)
	must(t, err)
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("message %d has seq %d", i, m.Seq)
		}
	}
	if len(msgs) != n {
		t.Errorf("%d messages, want %d", len(msgs), n)
	}
}

// TestTimes checks that times come back in UTC at microsecond precision, the zero time as the
// zero time, and that time bounds with nanoseconds compare as the exact times would.
func TestTimes(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := t.Context()
	w := newWorld(t, db)
	paris, err := time.LoadLocation("Europe/Paris")
	must(t, err)
	for _, tm := range []time.Time{{}, time.Date(2025, 1, 18, 7, 52, 37, 92395912, paris), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)} {
		s := concierge.Session{PropertyID: w.p.ID, Language: "en", IssuedAt: tm, ExpiresAt: tm, LastSeenAt: tm}
		must(t, concierge.NewGuestSessions(db).Create(ctx, &s))
		got, err := db.SessionByID(ctx, s.ID)
		must(t, err)
		want := tm.Truncate(time.Microsecond).UTC()
		if got.IssuedAt != want || got.IssuedAt.IsZero() != tm.IsZero() || got.RevokedAt != nil {
			t.Errorf("time %v came back as %v (want %v)", tm, got.IssuedAt, want)
		}
	}
	if b := bound(time.Unix(5, 1)); !b.Equal(time.Unix(5, 1000)) {
		t.Errorf("bound(5s+1ns) = %v", b)
	}
	if b := bound(time.Unix(5, 2000)); !b.Equal(time.Unix(5, 2000)) {
		t.Errorf("bound(5s+2µs) = %v", b)
	}
	// A key created at t is pruned by "before t+1ns" and kept by "before t".
	at := time.Date(2025, 1, 1, 0, 0, 0, 1000, time.UTC)
	_, _, err = db.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "k", RequestHash: []byte{1}, CreatedAt: at})
	must(t, err)
	if n, err := db.PruneIdempotencyKeys(ctx, at); err != nil || n != 0 {
		t.Errorf("PruneIdempotencyKeys(before its creation) = %d, %v", n, err)
	}
	if n, err := db.PruneIdempotencyKeys(ctx, at.Add(time.Nanosecond)); err != nil || n != 1 {
		t.Errorf("PruneIdempotencyKeys(1ns after its creation) = %d, %v", n, err)
	}
}
