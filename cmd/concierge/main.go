// Command concierge is the Concierge server: hotel guest messaging with a V40-compatible guest
// API. Run `concierge help` for its subcommands, flags and environment variables.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // property time zones work on machines without a zoneinfo database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "concierge:", err)
		os.Exit(exitCode(err)) // 2 for a usage error (usage.go)
	}
}
