// Package client is a Go client of Concierge's two HTTP APIs: Guest for the V40-compatible
// guest API (sessions, outlets, conversations, messages, live events) and Staff for the staff
// and admin REST API under /api/v1/. Answers are the typed shapes of package concierge/api.
//
// Both clients keep their credential: Guest keeps the session token each answer returns (the
// V40 rule: a client always uses the token of the last answer), Staff the bearer token of its
// login. Writes carry an Idempotency-Key, generated when the caller gives none, so that a write
// retried after a lost answer, a 429 or a 502/503/504 is applied once. The server keeps no
// secret in a remembered answer: a retried session start answers the same session's token, a
// retried API-key or interface-token creation whose first try went through answers
// IdempotencyKeyReused (the secret cannot be shown twice), and a staff login is sent without a
// key, so a retry is a new login. A failed call returns an
// *Error with the HTTP status, the API's error code and its message.
package client
