package pgtest

import (
	"context"
	"os"
	"strings"
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
