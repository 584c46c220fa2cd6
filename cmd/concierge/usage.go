package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// The command line's conventions: `concierge CMD -h` (or `concierge help CMD`) prints that
// command's usage and flags on standard output and exits 0; a command line the program cannot
// run is a usage error, one line on standard error and exit status 2; any other failure exits
// 1. Commands print their results on standard output, progress and counts on standard error.

// usageError is a command line that cannot run (unknown command or flag, a missing or
// unexpected argument): main prints it on one line and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef returns a usageError for cmd ending with where to find its usage.
func usagef(cmd, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if cmd == "" {
		return usageError{msg: msg + " (run 'concierge help')"}
	}
	return usageError{msg: msg + " (run 'concierge help " + cmd + "')"}
}

// errHelpShown is returned by a command whose help was asked for and printed: exit status 0.
var errHelpShown = errors.New("help shown")

// exitCode is the exit status for a command's error: 0 for none or after help, 2 for a usage
// error, 1 otherwise.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// commandUsage is the usage of a command, shown by `concierge help CMD` and `concierge CMD -h`
// above the command's flags ("" for an unknown command).
func commandUsage(cmd string) string {
	switch cmd {
	case "serve":
		return "usage: concierge serve [flags]\n\nRuns the server (a SQLite file by default; --db postgres://… for PostgreSQL, where\nseveral nodes may serve one database)."
	case "migrate":
		return "usage: concierge migrate [flags]\n\nApplies the database migrations (SQLite or PostgreSQL) and exits."
	case "rotate-key":
		return "usage: concierge rotate-key [flags]\n\nMakes a new session signing key; the previous one stays accepted (in the key file, or\nin the PostgreSQL database)."
	case "import":
		return importUsage
	case "webhooks":
		return webhooksUsage
	case "privacy":
		return privacyUsage
	case "version":
		return "usage: concierge version\n\nPrints the version."
	case "help":
		return "usage: concierge help [COMMAND]\n\nPrints the help of every command, or of one."
	}
	return ""
}

// parseFlags parses args with fs, quietly: -h or --help prints cmd's usage and fs's flags
// (each with its environment variable) on help and answers errHelpShown; a bad flag is a
// usageError.
func parseFlags(cmd string, fs *flag.FlagSet, args []string, help io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(help, "%s\n\nFlags (each also read from the environment variable shown):\n", commandUsage(cmd))
		printFlags(help, fs)
		return errHelpShown
	}
	return usagef(cmd, "%s: %s", cmd, strings.TrimSpace(err.Error()))
}

// printFlags writes every flag of fs with its usage, environment variable and default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  --%-28s %s\n  %-30s env %s, default %s\n", f.Name, f.Usage, "", envName(f.Name), def)
	})
}

// commandHelp runs `concierge help CMD`: the command's usage and flags, as `concierge CMD -h`
// prints them; a usage error for an unknown command.
func commandHelp(ctx context.Context, cmd string, stdout, stderr io.Writer) error {
	switch commandUsage(cmd) {
	case "":
		return usagef("", "unknown command %q", cmd)
	case commandUsage("version"), commandUsage("help"):
		fmt.Fprintln(stdout, commandUsage(cmd))
		return errHelpShown
	}
	return dispatch(ctx, []string{"concierge", cmd, "-h"}, func(string) string { return "" }, stdout, stderr, time.Now)
}
