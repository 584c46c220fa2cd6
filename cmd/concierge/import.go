package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"concierge/internal/concierge"
	"concierge/internal/importer"
)

// importConfig is what `concierge import` can be told.
type importConfig struct {
	DB       string
	Property string
	LogLevel string
}

// errRowsRejected is returned (exit status 1) when an import skipped rows; the others are
// imported and the summary lists the skipped ones.
var errRowsRejected = errors.New("some rows were rejected (listed above); the others were imported")

const importUsage = "usage: concierge import stays|orders FILE --property CODE [--db PATH]\n\n" +
	"Imports stays or orders from a CSV or JSON file as the local operator. Its progress, the\n" +
	"counts and the rejected rows go to standard error; the exit status is 1 when rows were rejected."

// importCommand runs `concierge import stays|orders FILE --property CODE [--db PATH]`: it
// imports the file (CSV or JSON, told by its extension or content) into the database as the
// local operator (an admin), showing progress (a bar on a terminal, a line every 1,000 rows
// otherwise) and then the summary.
func importCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	var cfg importConfig
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.StringVar(&cfg.DB, "db", "concierge.db", "SQLite database file")
	fs.StringVar(&cfg.Property, "property", "", "code of the property to import into (required)")
	fs.StringVar(&cfg.LogLevel, "log-level", "warn", "log level: debug, info, warn or error")
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return err
	}
	// Flags may come before, between or after the two positional arguments.
	var positional []string
	for {
		if err := parseFlags("import", fs, args, stdout); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) != 2 || (positional[0] != "stays" && positional[0] != "orders") {
		return usagef("import", "import: want stays or orders, then a FILE")
	}
	if strings.TrimSpace(cfg.Property) == "" {
		return usagef("import", "import: --property is required: the code of the property to import into")
	}
	kind, path := importer.Stays, positional[1]
	if positional[0] == "orders" {
		kind = importer.Orders
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	format := importer.Detect(path, data)

	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, config{DB: cfg.DB}, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := newService(concierge.Config{Store: store, Tokens: noTokens{}, Logger: logger, Now: now})
	if err != nil {
		return err
	}

	start := time.Now()
	progress := newProgress(stderr, positional[0])
	sum, err := importer.Import(ctx, svc, concierge.LocalOperator(), cfg.Property, kind, data, format, progress.report)
	progress.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Imported %s %s (%s) into %s in %s: %d created, %d updated, %d unchanged, %d rejected.\n",
		positional[0], path, format, strings.ToUpper(strings.TrimSpace(cfg.Property)),
		time.Since(start).Round(time.Millisecond), sum.Created, sum.Updated, sum.Unchanged, len(sum.Rejected))
	for _, r := range sum.Rejected {
		fmt.Fprintf(stderr, "  rejected line %d: %s\n", r.Line, r.Reason)
	}
	if len(sum.Rejected) > 0 {
		return errRowsRejected
	}
	return nil
}

// noTokens stands in for the session token signer: an import opens no guest session.
type noTokens struct{}

func (noTokens) Sign(int64, time.Time) string { return "" }

func (noTokens) Verify(string) (int64, error) { return 0, errors.New("no guest sessions here") }

// progressLine is the interval, in rows, of plain progress lines.
const progressLine = 1000

// progress shows an import's progress: a bar redrawn in place on a terminal, a plain line every
// progressLine rows otherwise.
type progress struct {
	w        io.Writer
	what     string
	terminal bool
	last     int // rows done at the last line written
	drawn    bool
}

func newProgress(w io.Writer, what string) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, what: what, terminal: ok && term.IsTerminal(int(f.Fd()))}
}

// report is an importer.Progress.
func (p *progress) report(done, total int) {
	if total == 0 {
		return
	}
	if p.terminal {
		const width = 30
		filled := done * width / total
		fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.what, strings.Repeat("#", filled),
			strings.Repeat(".", width-filled), done*100/total, done, total)
		p.drawn = true
		return
	}
	if done/progressLine > p.last/progressLine || (done == total && done != p.last) {
		fmt.Fprintf(p.w, "%s: %d/%d rows\n", p.what, done, total)
		p.last = done
	}
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
