package concierge

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// EventTicketPrefix starts every ticket of the staff WebSocket ("concierge event ticket").
const EventTicketPrefix = "cet_"

// EventTicketTTL is how long a ticket of the staff WebSocket may be redeemed.
const EventTicketTTL = 30 * time.Second

// maxEventTickets bounds the tickets waiting to be redeemed in one process.
const maxEventTickets = 10000

// eventTickets holds the unredeemed tickets of the staff WebSocket, by the SHA-256 of the
// ticket: a browser cannot set the Authorization header of a WebSocket, so it trades its bearer
// token for a ticket (a staff API call it may make from any origin) and opens the WebSocket
// with the ticket in the URL. Tickets live in the process that issued them: on several nodes,
// the WebSocket must reach the node that answered the ticket (or use the bearer subprotocol).
type eventTickets struct {
	mu      sync.Mutex
	tickets map[[sha256.Size]byte]eventTicket
}

// eventTicket is what a ticket stands for: the bearer token it was issued to, checked again
// when it is redeemed (so that a logout or a revoked key in between still counts).
type eventTicket struct {
	bearer  string
	expires time.Time
}

// IssueEventTicket returns a single-use ticket for the staff WebSocket, redeemable for
// EventTicketTTL, standing for bearer (the staff login token or API key of the caller, already
// authenticated). Errors: AuthenticationFailed when bearer is not valid (AuthenticateStaff);
// RateLimited when too many tickets wait to be redeemed.
func (s *Service) IssueEventTicket(ctx context.Context, bearer string) (string, time.Time, error) {
	if _, err := s.AuthenticateStaff(ctx, bearer); err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	t := &s.eventTickets
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tickets == nil {
		t.tickets = map[[sha256.Size]byte]eventTicket{}
	}
	if len(t.tickets) >= maxEventTickets/2 {
		for k, e := range t.tickets {
			if !now.Before(e.expires) {
				delete(t.tickets, k)
			}
		}
	}
	if len(t.tickets) >= maxEventTickets {
		return "", time.Time{}, &Error{Code: CodeRateLimited, RetryAfter: EventTicketTTL,
			Message: "Too many event tickets wait to be used; try again later."}
	}
	ticket := newSecret(EventTicketPrefix)
	expires := now.Add(EventTicketTTL)
	t.tickets[sha256.Sum256([]byte(ticket))] = eventTicket{bearer: bearer, expires: expires}
	return ticket, expires, nil
}

// RedeemEventTicket uses up ticket and authenticates the bearer token it was issued to.
// Errors: AuthenticationFailed when the ticket is unknown, was used already or has expired,
// and those of AuthenticateStaff (the login was ended or the key revoked meanwhile).
func (s *Service) RedeemEventTicket(ctx context.Context, ticket string) (*Principal, error) {
	key := sha256.Sum256([]byte(ticket))
	t := &s.eventTickets
	t.mu.Lock()
	e, ok := t.tickets[key]
	delete(t.tickets, key)
	t.mu.Unlock()
	if !ok || !s.now().Before(e.expires) {
		return nil, Errorf(CodeAuthenticationFailed, "The event ticket is not valid: it is unknown, used or expired.")
	}
	return s.AuthenticateStaff(ctx, e.bearer)
}
