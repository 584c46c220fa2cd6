package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func TestNewDatabaseIsFreshEmptyAndDropped(t *testing.T) {
	t.Parallel()
	var first, second string
	t.Run("create", func(t *testing.T) {
		first, second = NewDatabase(t), NewDatabase(t)
		if first == second {
			t.Fatalf("two calls returned the same DSN %s", first)
		}
		for _, dsn := range []string{first, second} {
			conn := connect(t, dsn)
			var tables int
			if err := conn.QueryRow(context.Background(),
				`SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
			).Scan(&tables); err != nil {
				t.Fatal(err)
			}
			if tables != 0 {
				t.Errorf("%s has %d tables, want an empty database", dsn, tables)
			}
		}
		// Writing in one database is invisible in the other.
		a, b := connect(t, first), connect(t, second)
		if _, err := a.Exec(context.Background(), `CREATE TABLE only_in_first (id int)`); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := b.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("a table created in one database shows in the other")
		}
		// An open connection must not stop the cleanup from dropping the database.
	})
	admin := connect(t, ServerDSN(t))
	for _, dsn := range []string{first, second} {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := admin.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_database WHERE datname = $1`, cfg.Database).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s still exists after its test's cleanup", cfg.Database)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:p@h:5/postgres?sslmode=disable", "postgres://u:p@h:5/x?sslmode=disable"},
		{"postgresql://h/", "postgresql://h/x"},
		{"postgres://h/db?dbname=other&sslmode=disable", "postgres://h/x?sslmode=disable"},
		{"host=h port=5 dbname=postgres", "host=h port=5 dbname=postgres dbname='x'"},
		{"host=h ", "host=h dbname='x'"},
	} {
		got, err := WithDatabase(tc.in, "x")
		if err != nil {
			t.Fatalf("WithDatabase(%q): %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("WithDatabase(%q) = %q, want %q", tc.in, got, tc.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Fatalf("pgx cannot parse %q: %v", got, err)
		}
		if cfg.Database != "x" {
			t.Errorf("pgx reads database %q from %q, want x", cfg.Database, got)
		}
	}
	if _, err := WithDatabase("postgres://h:notaport/x", "y"); err == nil {
		t.Error("WithDatabase accepted a URL with a bad port")
	}
}

func FuzzWithDatabase(f *testing.F) {
	f.Add("postgres://u:p@h:5/postgres?sslmode=disable", "db")
	f.Add("host=h dbname=a", "b'c\\d")
	f.Fuzz(func(t *testing.T, dsn, name string) {
		if strings.ContainsRune(name, 0) {
			return
		}
		got, err := WithDatabase(dsn, name)
		if err != nil {
			return
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Fatalf("WithDatabase(%q, %q) = %q, which pgx cannot parse: %v", dsn, name, got, err)
		}
		if cfg.Database != name {
			t.Fatalf("WithDatabase(%q, %q) = %q, database %q", dsn, name, got, cfg.Database)
		}
	})
}

// TestStartStop starts a second throwaway server (whatever CONCIERGE_TEST_POSTGRES says), so
// the path that runs initdb is exercised everywhere, and checks Stop removes everything.
func TestStartStop(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := srv.dir
	conn, err := pgx.Connect(ctx, srv.DSN())
	if err != nil {
		_ = srv.Stop()
		t.Fatal(err)
	}
	var addr string
	err = conn.QueryRow(ctx, `SELECT current_setting('listen_addresses')`).Scan(&addr)
	_ = conn.Close(ctx)
	if err != nil {
		_ = srv.Stop()
		t.Fatal(err)
	}
	if addr != "127.0.0.1" {
		t.Errorf("listen_addresses = %q, want 127.0.0.1 only", addr)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("server directory %s still there after Stop (stat: %v)", dir, err)
	}
	if _, err := pgx.Connect(ctx, srv.DSN()); err == nil {
		t.Errorf("server still accepts connections after Stop")
	}
}

// TestTemplate: each database of a template is a copy of it, its own, made at the same time as
// others; the template is prepared once, even though its preparation leaves a connection open,
// accepts no connection afterwards, and drop removes it.
func TestTemplate(t *testing.T) {
	t.Parallel()
	var prepared atomic.Int32
	var leftOpen *pgx.Conn
	tp := NewTemplate(func(ctx context.Context, dsn string) error {
		prepared.Add(1)
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		leftOpen = conn // not closed: the template must be copyable anyway
		_, err = conn.Exec(ctx, `CREATE TABLE prepared (v text); INSERT INTO prepared VALUES ('once')`)
		return err
	})
	t.Cleanup(func() {
		if leftOpen != nil {
			_ = leftOpen.Close(context.Background())
		}
	})
	const copies = 6
	dsns := make([]string, copies)
	t.Run("copies", func(t *testing.T) {
		for i := range copies {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				dsns[i] = tp.NewDatabase(t)
				conn := connect(t, dsns[i])
				var v string
				if err := conn.QueryRow(t.Context(), `SELECT v FROM prepared`).Scan(&v); err != nil || v != "once" {
					t.Fatalf("the copy's prepared table: %q, %v; want once", v, err)
				}
				// Writing in one copy is invisible in the others and in the template.
				if _, err := conn.Exec(t.Context(), `INSERT INTO prepared VALUES ($1)`, fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
				var n int
				if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM prepared`).Scan(&n); err != nil || n != 2 {
					t.Fatalf("the copy has %d rows (%v), want 2", n, err)
				}
			})
		}
	})
	if n := prepared.Load(); n != 1 {
		t.Errorf("the template was prepared %d times, want once", n)
	}
	if tp.name == "" {
		t.Fatal("no template database was created")
	}
	admin := connect(t, ServerDSN(t))
	for _, dsn := range dsns {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if exists(t, admin, cfg.Database) {
			t.Errorf("database %s still exists after its test's cleanup", cfg.Database)
		}
	}
	tmpl, err := WithDatabase(ServerDSN(t), tp.name)
	if err != nil {
		t.Fatal(err)
	}
	if conn, err := pgx.Connect(t.Context(), tmpl); err == nil {
		_ = conn.Close(t.Context())
		t.Error("the prepared template accepts connections")
	}
	if err := tp.drop(); err != nil {
		t.Fatal(err)
	}
	if exists(t, admin, tp.name) {
		t.Errorf("template %s still exists after drop", tp.name)
	}
}

// exists reports whether database name exists on the server admin is connected to.
func exists(t *testing.T, admin *pgx.Conn, name string) bool {
	t.Helper()
	var n int
	if err := admin.QueryRow(t.Context(), `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n != 0
}

// TestTemplateFailure: a template that cannot be prepared fails every test that asks for a copy.
func TestTemplateFailure(t *testing.T) {
	t.Parallel()
	tp := NewTemplate(func(context.Context, string) error { return errors.New("no schema") })
	for range 2 {
		if _, _, err := tp.ensure(t); err == nil || !strings.Contains(err.Error(), "no schema") {
			t.Fatalf("ensure = %v, want the preparation's error", err)
		}
	}
}
