// Package api holds the wire shapes of Concierge's two HTTP APIs: the guest API, wire-compatible
// with the "V40 Interactive Messages" API (SPEC §3–4, the Guest* types and the Envelope), and the
// staff and admin REST API under /api/v1/ (SPEC §5). The server renders its answers from these
// types and package concierge/client decodes them, so a change of shape breaks a compile on both
// sides instead of a client at run time.
//
// Field order is the wire order. Request types name their JSON keys in the case the server
// documents; the server decodes request bodies into them, matching keys case-insensitively (a
// field of the wrong JSON type is named by its key in a MalformedRequest). The one part the
// server writes without these types is the guest envelope's item, which it encodes by hand for
// speed; a test keeps it equal to Envelope and Item.
package api
