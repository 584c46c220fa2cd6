package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/metrics"
	"concierge/internal/staffapi"
	"concierge/internal/supervise"
)

// retentionBatch is how many stays or guests the retention job reads at once; each is erased
// in its own transaction.
const retentionBatch = 50

// startRetention runs the retention job every interval (and once at start) until ctx ends,
// and returns the function that stops it and waits for it. interval ≤ 0 turns it off.
func startRetention(ctx context.Context, svc *concierge.Service, interval time.Duration, counters *metrics.Counters, logger *slog.Logger) func() {
	if interval <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		supervise.Loop(ctx, logger, "retention", func(ctx context.Context) { retain(ctx, svc, t.C, counters, logger) })
	}()
	return func() { cancel(); <-done }
}

// retain runs the retention job now and at every tick until ctx ends.
func retain(ctx context.Context, svc *concierge.Service, tick <-chan time.Time, counters *metrics.Counters, logger *slog.Logger) {
	for {
		run, err := svc.RunRetention(ctx, retentionBatch)
		if ctx.Err() == nil {
			counters.RetentionRun(err)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			logger.ErrorContext(ctx, "retention failed", "err", err)
		case run.Stays+run.Guests+run.Sessions+run.StaffSessions > 0:
			logger.InfoContext(ctx, "retention erased guest data", "stays", run.Stays, "guests", run.Guests,
				"conversations", run.Conversations, "ended_sessions", run.Sessions, "ended_staff_sessions", run.StaffSessions)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// privacyConfig is what `concierge privacy` can be told.
type privacyConfig struct {
	DB               string
	Property         string
	BookingReference string
	Guest            string
	Out              string
	Yes              bool
	LogLevel         string
}

const privacyUsage = `usage:
  concierge privacy export --property CODE (--booking-reference REF | --guest ID) [--out FILE] [--db PATH]
  concierge privacy erase  --property CODE (--booking-reference REF | --guest ID) --yes [--db PATH]
  concierge privacy retention [--db PATH]     erase what the retention settings say is due, now`

// privacyCommand runs `concierge privacy export|erase|retention` as the local operator, on
// the database directly.
func privacyCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	var cfg privacyConfig
	fs := flag.NewFlagSet("privacy", flag.ContinueOnError)
	fs.StringVar(&cfg.DB, "db", "concierge.db", "SQLite database file")
	fs.StringVar(&cfg.Property, "property", "", "code of the property")
	fs.StringVar(&cfg.BookingReference, "booking-reference", "", "the stay's booking reference")
	fs.StringVar(&cfg.Guest, "guest", "", "the non-verified guest's identifier")
	fs.StringVar(&cfg.Out, "out", "", "file to write the export to (default: standard output)")
	fs.BoolVar(&cfg.Yes, "yes", false, "confirm an erasure")
	fs.StringVar(&cfg.LogLevel, "log-level", "warn", "log level: debug, info, warn or error")
	positional, err := parseCommandFlags("privacy", fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	if len(positional) != 1 || (positional[0] != "export" && positional[0] != "erase" && positional[0] != "retention") {
		return usagef("privacy", "privacy: want one of export, erase or retention")
	}
	svc, closeStore, err := openLocalService(ctx, cfg.DB, cfg.LogLevel, stderr, now, nil)
	if err != nil {
		return err
	}
	defer closeStore()
	op := concierge.LocalOperator()
	ref := concierge.GuestRef{BookingReference: cfg.BookingReference, GuestIdentifier: cfg.Guest}
	switch positional[0] {
	case "export":
		e, err := svc.ExportGuestData(ctx, op, cfg.Property, ref)
		if err != nil {
			return err
		}
		body, err := staffapi.GuestExportBody(e)
		if err != nil {
			return err
		}
		body = append(body, '\n')
		if cfg.Out == "" {
			_, err = stdout.Write(body)
			return err
		}
		if err := os.WriteFile(cfg.Out, body, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Exported %d conversation(s), %d message(s) to %s.\n", len(e.Conversations), len(e.Messages), cfg.Out)
		return nil
	case "erase":
		if !cfg.Yes {
			return usagef("privacy", "privacy erase: erasing cannot be undone: add --yes to confirm")
		}
		e, err := svc.EraseGuestData(ctx, op, cfg.Property, ref)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Erased %d conversation(s) and %d message(s).\n", e.Conversations, e.Messages)
		if e.Held > 0 {
			fmt.Fprintf(stdout, "%d conversation(s) under a legal hold were kept, and so was the stay or guest.\n", e.Held)
		}
		return nil
	case "retention":
		run, err := svc.RunRetention(ctx, retentionBatch)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Erased %d stay(s) and %d guest(s): %d conversation(s).\n", run.Stays, run.Guests, run.Conversations)
		fmt.Fprintf(stderr, "Deleted %d ended anonymous guest session(s) and %d ended staff session(s).\n", run.Sessions, run.StaffSessions)
		return nil
	}
	return usagef("privacy", "privacy: want one of export, erase or retention")
}
