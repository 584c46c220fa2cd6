package pgtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Template is a database prepared once per test process (typically by applying the schema's
// migrations) of which NewDatabase hands each test a copy: CREATE DATABASE … TEMPLATE, a file
// copy, instead of running the migrations again for every test. The template is created on the
// first NewDatabase call, closed to connections once prepared (PostgreSQL copies a database
// only while nobody is connected to it), and dropped by Main when the tests end. A Template is
// safe for concurrent use: tests running in parallel may copy it at the same time.
type Template struct {
	prepare func(ctx context.Context, dsn string) error

	mu       sync.Mutex
	prepared bool   // the first NewDatabase tried to prepare it
	server   string // DSN of the server's maintenance database
	name     string // the template database, once created
	err      error  // why it could not be prepared
}

// prepareTimeout bounds the preparation of a template.
const prepareTimeout = 2 * time.Minute

// NewTemplate returns a template prepared by prepare, given the DSN of the freshly created,
// empty template database. prepare must close every connection it opens; any left over is
// terminated before the template is copied. Declare it once per package, as a package-level
// variable, and run that package's tests through Main.
func NewTemplate(prepare func(ctx context.Context, dsn string) error) *Template {
	return &Template{prepare: prepare}
}

// NewDatabase creates a fresh, uniquely named database on the test server as a copy of the
// template, preparing the template first if no test of this process did yet, and returns its
// DSN. The database is dropped (with its connections forced closed) when t's cleanup runs. It
// fails t when no server can be had, the package's tests do not run through Main, the template
// cannot be prepared (then every later call fails the same way), or the copy cannot be made.
func (tp *Template) NewDatabase(t testing.TB) string {
	t.Helper()
	server, name, err := tp.ensure(t)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return newDatabase(t, server, name)
}

// ensure prepares the template once and returns the server and the template's name.
func (tp *Template) ensure(t testing.TB) (server, name string, err error) {
	t.Helper()
	server = ServerDSN(t)
	process.mu.Lock()
	main := process.main
	process.mu.Unlock()
	if !main {
		return "", "", errors.New("a Template is dropped by pgtest.Main: add " +
			"`func TestMain(m *testing.M) { pgtest.Main(m) }` to the test package")
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if !tp.prepared {
		tp.prepared = true
		tp.err = tp.create(server)
	}
	return tp.server, tp.name, tp.err
}

// create creates the template database on server, registers it for Main to drop, prepares it
// and closes it to connections.
func (tp *Template) create(server string) error {
	ctx, cancel := context.WithTimeout(context.Background(), prepareTimeout)
	defer cancel()
	name := "concierge_template_" + randomHex(8)
	if err := execAdmin(ctx, server, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create template database %s: %w", name, err)
	}
	tp.server, tp.name = server, name
	process.mu.Lock()
	process.templates = append(process.templates, tp)
	process.mu.Unlock()
	dsn, err := WithDatabase(server, name)
	if err != nil {
		return err
	}
	if err := tp.prepare(ctx, dsn); err != nil {
		return fmt.Errorf("prepare template database %s: %w", name, err)
	}
	return closeToConnections(ctx, server, name)
}

// closeToConnections forbids new connections to database name, terminates the ones still open
// and waits until they are gone, so that CREATE DATABASE … TEMPLATE name succeeds.
func closeToConnections(ctx context.Context, server, name string) error {
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", redact(server), err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("close template database %s to connections: %w", name, err)
	}
	for {
		var open int
		err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = $1 AND pid <> pg_backend_pid()`, name).Scan(&open)
		if err != nil {
			return fmt.Errorf("close the connections to template database %s: %w", name, err)
		}
		if open == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("template database %s: %d connection(s) still open: %w", name, open, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// drop drops the template database, if it was created.
func (tp *Template) drop() error {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.name == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stmt := "DROP DATABASE IF EXISTS " + pgx.Identifier{tp.name}.Sanitize() + " WITH (FORCE)"
	if err := execAdmin(ctx, tp.server, stmt); err != nil {
		return fmt.Errorf("drop template database %s: %w", tp.name, err)
	}
	return nil
}
