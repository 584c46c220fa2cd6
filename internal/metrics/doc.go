// Package metrics holds the Prometheus collectors of what the other packages do not count
// themselves: the build, the domain's counters (failed logins, refusals, erasures), rate-limit
// refusals, retention runs, the database (transactions, commits, write batches, connection
// pools) and the translation queue. Every collector is registered on a registry the caller
// passes in; nothing is registered globally.
package metrics
