package storetest

import (
	"testing"
	"time"

	"concierge/internal/concierge"
)

func testSessions(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	st := mustStay(t, s, p.ID, "101", "2025-01-10", "2025-01-20")
	g := mustGuest(t, s, p.ID, "device-1")

	sessions := []concierge.Session{
		{PropertyID: p.ID, StayID: &st.ID, Language: "de", LanguageExplicit: true, Version: "2.1 ✓",
			IssuedAt: t0, ExpiresAt: t0.Add(48 * time.Hour), LastSeenAt: t0},
		{PropertyID: p.ID, GuestID: &g.ID, Language: "en", IssuedAt: at(1), ExpiresAt: at(1).Add(24 * time.Hour), LastSeenAt: at(1)},
		{PropertyID: p.ID, Language: "fr", IssuedAt: at(2), ExpiresAt: at(2).Add(24 * time.Hour), LastSeenAt: at(2)},
	}
	ids := map[int64]bool{}
	for i := range sessions {
		noErr(t, "CreateSession", concierge.NewGuestSessions(s).Create(ctx, &sessions[i]))
		if sessions[i].ID <= 0 {
			t.Fatalf("CreateSession set ID %d, want a positive id", sessions[i].ID)
		}
		ids[sessions[i].ID] = true
		got, err := s.SessionByID(ctx, sessions[i].ID)
		noErr(t, "SessionByID", err)
		wantEqual(t, "SessionByID", got, sessions[i])
	}

	// Ids are random: never the same, not a sequence.
	var seq []int64
	for range 20 {
		x := concierge.Session{PropertyID: p.ID, Language: "en", IssuedAt: t0, ExpiresAt: t0, LastSeenAt: t0}
		noErr(t, "CreateSession", concierge.NewGuestSessions(s).Create(ctx, &x))
		if x.ID <= 0 || ids[x.ID] {
			t.Fatalf("CreateSession set ID %d: not positive or already used", x.ID)
		}
		ids[x.ID] = true
		seq = append(seq, x.ID)
	}
	consecutive := true
	for i := 1; i < len(seq); i++ {
		if d := seq[i] - seq[i-1]; d < -1000 || d > 1000 {
			consecutive = false
		}
	}
	if consecutive {
		t.Errorf("session ids look sequential: %v", seq)
	}

	unknown := int64(1)
	for ids[unknown] {
		unknown++
	}
	_, err := s.SessionByID(ctx, unknown)
	wantErr(t, "SessionByID unknown", err, concierge.ErrNotFound)

	// Touch.
	anon := sessions[2]
	noErr(t, "TouchSession", s.TouchSession(ctx, anon.ID, at(30), at(30).Add(24*time.Hour)))
	anon.LastSeenAt, anon.ExpiresAt = at(30), at(30).Add(24*time.Hour)
	got, err := s.SessionByID(ctx, anon.ID)
	noErr(t, "SessionByID after touch", err)
	wantEqual(t, "SessionByID after touch", got, anon)
	wantErr(t, "TouchSession unknown", s.TouchSession(ctx, unknown, at(30), at(31)), concierge.ErrNotFound)

	// Revoke, twice.
	verified := sessions[0]
	noErr(t, "RevokeSession", concierge.NewGuestSessions(s).Revoke(ctx, verified.ID, at(40)))
	verified.RevokedAt = new(at(40))
	got, err = s.SessionByID(ctx, verified.ID)
	noErr(t, "SessionByID revoked", err)
	wantEqual(t, "SessionByID revoked", got, verified)
	wantErr(t, "RevokeSession twice", concierge.NewGuestSessions(s).Revoke(ctx, verified.ID, at(50)), concierge.ErrNotFound)
	got, err = s.SessionByID(ctx, verified.ID)
	noErr(t, "SessionByID revoked twice", err)
	wantEqual(t, "a second revocation changes nothing", got, verified)
	wantErr(t, "RevokeSession unknown", concierge.NewGuestSessions(s).Revoke(ctx, unknown, at(50)), concierge.ErrNotFound)

	// The other sessions are untouched.
	got, err = s.SessionByID(ctx, sessions[1].ID)
	noErr(t, "SessionByID", err)
	wantEqual(t, "untouched session", got, sessions[1])
}

func testReplaceSession(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	p := mustProperty(t, s, "P1")
	st := mustStay(t, s, p.ID, "101", "2025-01-10", "2025-01-20")
	g := mustGuest(t, s, p.ID, "device-1")

	old := concierge.Session{PropertyID: p.ID, GuestID: &g.ID, Language: "en", Version: "1",
		IssuedAt: t0, ExpiresAt: t0.Add(24 * time.Hour), LastSeenAt: t0}
	noErr(t, "CreateSession", concierge.NewGuestSessions(s).Create(ctx, &old))

	next := old
	next.ID = 0
	next.StayID = &st.ID
	next.Language = "es"
	next.IssuedAt, next.LastSeenAt, next.ExpiresAt = at(10), at(10), at(10).Add(72*time.Hour)
	noErr(t, "ReplaceSession", concierge.NewGuestSessions(s).Replace(ctx, old.ID, at(10), &next))
	if next.ID <= 0 || next.ID == old.ID {
		t.Fatalf("ReplaceSession set next.ID %d (old %d)", next.ID, old.ID)
	}
	got, err := s.SessionByID(ctx, next.ID)
	noErr(t, "SessionByID next", err)
	wantEqual(t, "the new session", got, next)
	old.RevokedAt = new(at(10))
	got, err = s.SessionByID(ctx, old.ID)
	noErr(t, "SessionByID old", err)
	wantEqual(t, "the replaced session", got, old)

	// The old session cannot be replaced again; nothing is stored then.
	again := next
	again.ID = 0
	wantErr(t, "ReplaceSession of a replaced session", concierge.NewGuestSessions(s).Replace(ctx, old.ID, at(20), &again), concierge.ErrNotFound)
	if again.ID != 0 {
		t.Errorf("a failed ReplaceSession set next.ID %d", again.ID)
	}
	got, err = s.SessionByID(ctx, old.ID)
	noErr(t, "SessionByID old", err)
	wantEqual(t, "a failed replacement changes nothing", got, old)

	// Nor can a logged-out or unknown one.
	noErr(t, "RevokeSession", concierge.NewGuestSessions(s).Revoke(ctx, next.ID, at(30)))
	wantErr(t, "ReplaceSession of a revoked session", concierge.NewGuestSessions(s).Replace(ctx, next.ID, at(40), &again), concierge.ErrNotFound)
	unknown := old.ID + 1
	if unknown == next.ID {
		unknown++
	}
	wantErr(t, "ReplaceSession of an unknown session", concierge.NewGuestSessions(s).Replace(ctx, unknown, at(40), &again), concierge.ErrNotFound)
}
