// Package concierge holds Concierge's domain: its types (properties, outlets, stays, orders,
// sessions, conversations, messages), the one error type whose codes every API maps to a status,
// the Store interface that storage engines implement, and the Service that applies every
// business rule (authorisation, outlet choice, session expiry) above the store.
//
// The package has no knowledge of HTTP, SQL or any other technology: those live in their own
// packages under internal/ and are wired together in cmd/concierge.
package concierge
