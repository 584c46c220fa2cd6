// Command concierge-bench is Concierge's load tool. It drives a server through its public APIs
// only (the guest V40 API, the staff /api/v1 API and their event streams), by default a fresh
// `concierge serve --demo` child on a temporary SQLite database, and compares every scenario
// with a trivial net/http JSON handler run the same way. Run `concierge-bench help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "concierge-bench:", err)
		os.Exit(1)
	}
}
