// Package pgtest gives tests a fresh PostgreSQL database of their own: empty (NewDatabase), or
// a copy of a template database prepared once per test process, typically with the schema's
// migrations applied (Template), which is much cheaper than migrating every test's database.
//
// The server is the one named by CONCIERGE_TEST_POSTGRES (a DSN of a server on which the
// tests may CREATE DATABASE) when that variable is set. Otherwise the first NewDatabase call
// in a test process starts a throwaway server: initdb into a temporary directory, trust
// authentication, listening on 127.0.0.1 and a free port only. A package that may start one
// runs its tests through Main, which stops the server and removes its directory at the end.
// When no server can be had the test fails; it never skips.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvServer names the environment variable holding the DSN of the server tests use.
const EnvServer = "CONCIERGE_TEST_POSTGRES"

// process is the one test server of this test process. It is the package's only mutable
// state: a throwaway server is by nature one per process, shared by every test in it.
var process struct {
	mu      sync.Mutex
	main    bool    // Main is running the tests, so a started server will be stopped.
	started bool    // start was attempted (successful or not).
	server  *Server // the throwaway server, when one was started
	dsn     string  // DSN of the server's maintenance database
	err     error   // why no server could be had
	// templates are the template databases prepared in this process, dropped by Main.
	templates []*Template
}

// Main runs the tests of a package whose tests call NewDatabase or Template.NewDatabase, then
// drops the template databases they prepared, stops and removes the throwaway server if one
// was started, and exits with the tests' status. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	process.mu.Lock()
	process.main = true
	process.mu.Unlock()
	code := m.Run()
	process.mu.Lock()
	srv, templates := process.server, process.templates
	process.server, process.templates = nil, nil
	process.mu.Unlock()
	for _, tp := range templates {
		if err := tp.drop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	if srv != nil {
		if err := srv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the throwaway PostgreSQL server: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// ServerDSN returns the DSN of the maintenance database of the test server, starting the
// throwaway server first when CONCIERGE_TEST_POSTGRES is unset. It fails t when no server can
// be had.
func ServerDSN(t testing.TB) string {
	t.Helper()
	if dsn := os.Getenv(EnvServer); dsn != "" {
		return dsn
	}
	process.mu.Lock()
	defer process.mu.Unlock()
	if !process.main {
		t.Fatalf("pgtest: %s is unset and this test package does not run through pgtest.Main, "+
			"so a throwaway PostgreSQL server could not be stopped afterwards; add "+
			"`func TestMain(m *testing.M) { pgtest.Main(m) }` or set %s", EnvServer, EnvServer)
	}
	if !process.started {
		process.started = true
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		srv, err := Start(ctx)
		cancel()
		if err != nil {
			process.err = err
		} else {
			process.server, process.dsn = srv, srv.DSN()
		}
	}
	if process.err != nil {
		t.Fatalf("pgtest: no PostgreSQL server for the tests (set %s to use an existing one): %v",
			EnvServer, process.err)
	}
	return process.dsn
}

// NewDatabase creates a fresh, empty, uniquely named database on the test server and returns
// its DSN. The database is dropped (with its connections forced closed) when t's cleanup runs.
// It fails t when no server can be had or the database cannot be created. Tests that want the
// schema in place use a Template's NewDatabase instead; NewDatabase is for those that migrate
// themselves.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, ServerDSN(t), "")
}

// newDatabase creates a database as NewDatabase does on server, a copy of database template
// when it is not "".
func newDatabase(t testing.TB, server, template string) string {
	t.Helper()
	name := "concierge_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		stmt += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if err := execAdmin(ctx, server, stmt); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		stmt := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"
		if err := execAdmin(ctx, server, stmt); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	dsn, err := WithDatabase(server, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// WithDatabase returns dsn (a postgres:// or postgresql:// URL, or a keyword/value string)
// with its database replaced by name. It returns an error when dsn does not parse or the
// result would not name database name.
func WithDatabase(dsn, name string) (string, error) {
	out, err := withDatabase(dsn, name)
	if err != nil {
		return "", err
	}
	cfg, err := pgx.ParseConfig(out)
	if err != nil {
		return "", fmt.Errorf("the server DSN with database %q does not parse: %w", name, err)
	}
	if cfg.Database != name {
		return "", fmt.Errorf("the server DSN with database %q names database %q", name, cfg.Database)
	}
	return out, nil
}

func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse the server DSN: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		u.Fragment, u.RawFragment = "", "" // libpq ignores it; pgx would read it as part of the name
		q := u.Query()
		if q.Has("dbname") {
			q.Del("dbname")
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	// In keyword/value form the last occurrence of a keyword wins.
	quoted := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name)
	dsn = strings.TrimSpace(dsn)
	if strings.HasSuffix(dsn, "=") {
		dsn += "''" // a trailing empty value would otherwise swallow what is appended
	}
	return dsn + " dbname='" + quoted + "'", nil
}

// execAdmin runs one statement on a fresh connection to the server's maintenance database.
func execAdmin(ctx context.Context, dsn, stmt string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redact(dsn), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return err
	}
	return nil
}

// redact hides the password of a URL DSN for error messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return "the test server"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
