package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"concierge/internal/concierge"
	"concierge/internal/live"
	"concierge/internal/staffapi"
	"concierge/internal/supervise"
	"concierge/internal/webhook"
)

// webhookPolicy returns the target policy of webhooks: public addresses and cfg's allow-list.
func webhookPolicy(allowCIDR string) (webhook.Policy, error) {
	allow, err := webhook.ParseAllowList(allowCIDR)
	if err != nil {
		return webhook.Policy{}, fmt.Errorf("--webhook-allow-cidr: %w", err)
	}
	return webhook.Policy{Allow: allow}, nil
}

// startWebhooks runs the webhook dispatcher, woken by the hub's position after every event,
// and returns the function that stops it and waits for it (call it before closing the store).
func startWebhooks(ctx context.Context, cfg config, svc *concierge.Service, hub *live.Hub, policy webhook.Policy,
	m *webhook.Metrics, logger *slog.Logger) func() {
	d := webhook.New(webhook.Config{Service: svc, Commits: hub, Render: staffapi.WebhookBody, Policy: policy, Metrics: m,
		Logger: logger.With("component", "webhooks"), Timeout: cfg.WebhookTimeout, RetryMin: cfg.WebhookRetryMin,
		RetryMax: cfg.WebhookRetryMax, Window: cfg.WebhookRetryWindow})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { supervise.Loop(ctx, logger, "webhook dispatcher", d.Run); close(done) }()
	return func() { cancel(); <-done }
}

// webhooksConfig is what `concierge webhooks` can be told.
type webhooksConfig struct {
	DB        string
	Property  string
	URL       string
	Kinds     string
	Secret    string
	ID        int64
	AllowCIDR string
	LogLevel  string
}

const webhooksUsage = `usage:
  concierge webhooks list   --property CODE [--db PATH]
  concierge webhooks create --property CODE --url URL --kinds KIND,... [--secret S] [--db PATH]
  concierge webhooks delete --property CODE --id N [--db PATH]`

// webhooksCommand runs `concierge webhooks list|create|delete`: the admin API's webhook
// calls, as the local operator, on the database directly.
func webhooksCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now func() time.Time) error {
	var cfg webhooksConfig
	fs := flag.NewFlagSet("webhooks", flag.ContinueOnError)
	fs.StringVar(&cfg.DB, "db", "concierge.db", "SQLite database file")
	fs.StringVar(&cfg.Property, "property", "", "code of the property (required)")
	fs.StringVar(&cfg.URL, "url", "", "the receiver's URL (create)")
	fs.StringVar(&cfg.Kinds, "kinds", "", "event kinds, comma-separated (create)")
	fs.StringVar(&cfg.Secret, "secret", "", "the signing secret (create; default: generated and printed once)")
	fs.Int64Var(&cfg.ID, "id", 0, "the webhook's id (delete)")
	fs.StringVar(&cfg.AllowCIDR, "webhook-allow-cidr", "", "networks webhooks may reach besides public addresses")
	fs.StringVar(&cfg.LogLevel, "log-level", "warn", "log level: debug, info, warn or error")
	positional, err := parseCommandFlags("webhooks", fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	if len(positional) != 1 || (positional[0] != "list" && positional[0] != "create" && positional[0] != "delete") {
		return usagef("webhooks", "webhooks: want one of list, create or delete")
	}
	if strings.TrimSpace(cfg.Property) == "" {
		return usagef("webhooks", "webhooks: --property is required")
	}
	policy, err := webhookPolicy(cfg.AllowCIDR)
	if err != nil {
		return err
	}
	svc, closeStore, err := openLocalService(ctx, cfg.DB, cfg.LogLevel, stderr, now, webhook.Targets{Policy: policy})
	if err != nil {
		return err
	}
	defer closeStore()
	op := concierge.LocalOperator()
	switch positional[0] {
	case "list":
		ws, err := svc.ListWebhooks(ctx, op, cfg.Property)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tENABLED\tKINDS\tURL")
		for _, w := range ws {
			kinds := make([]string, len(w.Kinds))
			for i, k := range w.Kinds {
				kinds[i] = string(k)
			}
			fmt.Fprintf(tw, "%d\t%t\t%s\t%s\n", w.ID, w.Enabled, strings.Join(kinds, ","), w.URL)
		}
		return tw.Flush()
	case "create":
		in := concierge.WebhookInput{URL: cfg.URL, Kinds: splitList(cfg.Kinds)}
		if cfg.Secret != "" {
			in.Secret = &cfg.Secret
		}
		w, err := svc.CreateWebhook(ctx, op, cfg.Property, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created webhook %d for %s.\n", w.ID, w.URL)
		if cfg.Secret == "" {
			fmt.Fprintf(stdout, "Signing secret (shown once): %s\n", w.Secret)
		}
		return nil
	case "delete":
		if cfg.ID <= 0 {
			return usagef("webhooks", "webhooks delete: --id is required")
		}
		if err := svc.DeleteWebhook(ctx, op, cfg.Property, cfg.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Deleted webhook %s.\n", strconv.FormatInt(cfg.ID, 10))
		return nil
	}
	return usagef("webhooks", "webhooks: want one of list, create or delete")
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parseCommandFlags applies CONCIERGE_* variables, then parses args, whose flags may come
// before, between or after the positional arguments, and returns those (see parseFlags for
// -h, which prints cmd's help on help, and for the errors).
func parseCommandFlags(cmd string, fs *flag.FlagSet, args []string, getenv func(string) string, help io.Writer) ([]string, error) {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	var positional []string
	for {
		if err := parseFlags(cmd, fs, args, help); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openLocalService opens the database at db and returns a Service on it for a local command,
// and the function closing the store.
func openLocalService(ctx context.Context, db, logLevel string, stderr io.Writer, now func() time.Time, targets concierge.WebhookTargets) (*concierge.Service, func(), error) {
	logger, err := newLogger(stderr, logLevel)
	if err != nil {
		return nil, nil, err
	}
	store, err := openStore(ctx, config{DB: db}, logger)
	if err != nil {
		return nil, nil, err
	}
	svc, err := newService(concierge.Config{Store: store, Tokens: noTokens{}, Logger: logger, Now: now,
		WebhookTargets: targets})
	if err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	return svc, func() { _ = store.Close() }, nil
}
