package storetest

import (
	"testing"

	"concierge/internal/concierge"
)

func testRetention(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("RT"))
	_, err := s.RetentionSettings(ctx, pl.Property.ID)
	wantErr(t, "RetentionSettings before any", err, concierge.ErrNotFound)
	rs := concierge.RetentionSettings{PropertyID: pl.Property.ID, StayDays: 30, GuestDays: 7, UpdatedAt: t0}
	noErr(t, "SetRetentionSettings", concierge.NewConfiguration(s).SetRetentionSettings(ctx, rs, nil))
	rs.StayDays, rs.UpdatedAt = 31, at(1)
	noErr(t, "SetRetentionSettings again", concierge.NewConfiguration(s).SetRetentionSettings(ctx, rs, nil))
	got, err := s.RetentionSettings(ctx, pl.Property.ID)
	noErr(t, "RetentionSettings", err)
	wantEqual(t, "RetentionSettings", got, rs)

	c := conversation(pl.Outlet, nil, nil)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, nil))
	_, err = s.LegalHoldOf(ctx, c.ID)
	wantErr(t, "LegalHoldOf before any", err, concierge.ErrNotFound)
	h := concierge.LegalHold{ConversationID: c.ID, Reason: "claim 42", SetBy: "boss", SetAt: at(2)}
	noErr(t, "SetLegalHold", concierge.NewConfiguration(s).SetLegalHold(ctx, h, nil))
	h.Reason = "claim 43"
	noErr(t, "SetLegalHold again", concierge.NewConfiguration(s).SetLegalHold(ctx, h, nil))
	gotH, err := s.LegalHoldOf(ctx, c.ID)
	noErr(t, "LegalHoldOf", err)
	wantEqual(t, "LegalHoldOf", gotH, h)
	wantErr(t, "SetLegalHold of nothing", concierge.NewConfiguration(s).SetLegalHold(ctx, concierge.LegalHold{ConversationID: 1 << 40}, nil), concierge.ErrNotFound)
	noErr(t, "ClearLegalHold", concierge.NewConfiguration(s).ClearLegalHold(ctx, c.ID, nil))
	wantErr(t, "ClearLegalHold twice", concierge.NewConfiguration(s).ClearLegalHold(ctx, c.ID, nil), concierge.ErrNotFound)

	// Expired stays and inactive guests.
	old := mustStay(t, s, pl.Property.ID, "101", "2025-01-01", "2025-01-05")
	current := mustStay(t, s, pl.Property.ID, "102", "2025-01-01", "2025-03-01")
	heldStay := mustStay(t, s, pl.Property.ID, "103", "2025-01-01", "2025-01-04")
	hc := conversation(pl.Outlet, &heldStay.ID, nil)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &hc, nil))
	noErr(t, "SetLegalHold", concierge.NewConfiguration(s).SetLegalHold(ctx, concierge.LegalHold{ConversationID: hc.ID, Reason: "r", SetBy: "b", SetAt: t0}, nil))
	stays, err := s.ExpiredStays(ctx, pl.Property.ID, "2025-02-01", 10)
	noErr(t, "ExpiredStays", err)
	wantEqual(t, "expired stays (not the current one, not the one whose only conversation is held)", stays, []concierge.Stay{old})
	stays, err = s.ExpiredStays(ctx, pl.Property.ID, "2025-01-05", 10)
	noErr(t, "ExpiredStays on departure day", err)
	wantEqual(t, "no stay departed before its departure day", len(stays), 0)
	_ = current

	g := mustGuest(t, s, pl.Property.ID, code("guest")) // created at t0
	byIdent, err := s.GuestByIdentifier(ctx, pl.Property.ID, g.Identifier)
	noErr(t, "GuestByIdentifier", err)
	wantEqual(t, "GuestByIdentifier", byIdent, g)
	_, err = s.GuestByIdentifier(ctx, pl.Property.ID, "nobody")
	wantErr(t, "GuestByIdentifier of nobody", err, concierge.ErrNotFound)
	gc := conversation(pl.Outlet, nil, &g.ID)
	gc.UpdatedAt = at(60)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &gc, nil))
	guests, err := s.InactiveGuests(ctx, pl.Property.ID, at(30), 10)
	noErr(t, "InactiveGuests", err)
	wantEqual(t, "a guest active after the limit is not inactive", len(guests), 0)
	guests, err = s.InactiveGuests(ctx, pl.Property.ID, at(61), 10)
	noErr(t, "InactiveGuests later", err)
	wantEqual(t, "inactive guests", guests, []concierge.Guest{g})
}

func testGuestErasure(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("ER"))
	st := mustStay(t, s, pl.Property.ID, "201", "2025-01-01", "2025-01-05")
	keep := mustStay(t, s, pl.Property.ID, "202", "2025-01-01", "2025-01-05")
	o := concierge.Order{PropertyID: pl.Property.ID, Code: code("ORD"), StayID: &st.ID, OutletID: &pl.Outlet.ID,
		Status: concierge.OrderPending, UpdatedAt: t0}
	noErr(t, "CreateOrder", s.CreateOrder(ctx, &o))
	sess := concierge.Session{PropertyID: pl.Property.ID, StayID: &st.ID, Language: "es", IssuedAt: t0, ExpiresAt: at(600), LastSeenAt: t0}
	noErr(t, "CreateSession", concierge.NewGuestSessions(s).Create(ctx, &sess))
	c1, c2, ck := conversation(pl.Outlet, &st.ID, nil), conversation(pl.Outlet, &st.ID, nil), conversation(pl.Outlet, &keep.ID, nil)
	m1 := message(concierge.MessageGuest, 1)
	m1.Content = "Erase me please"
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c1, &m1))
	m2 := message(concierge.MessageGuest, 2)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c2, &m2))
	mk := message(concierge.MessageGuest, 3)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &ck, &mk))
	_, _, err := s.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "k", RequestHash: []byte{1}, CreatedAt: t0})
	noErr(t, "ReserveIdempotencyKey", err)
	noErr(t, "CompleteIdempotencyKey", s.CompleteIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "k",
		Status: 201, ContentType: "application/json", Body: []byte(`{"code":"` + c1.Code + `"}`), StayID: &st.ID}))
	// An answer about another stay is kept.
	_, _, err = s.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "other", RequestHash: []byte{2}, CreatedAt: t0})
	noErr(t, "ReserveIdempotencyKey", err)
	noErr(t, "CompleteIdempotencyKey", s.CompleteIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "other",
		Status: 201, ContentType: "application/json", Body: []byte(`{"code":"` + ck.Code + `"}`), StayID: &keep.ID,
		SecretKind: concierge.SecretGuestSession, SecretRef: 7}))

	data, err := s.GuestData(ctx, concierge.Owner{PropertyID: pl.Property.ID, StayID: &st.ID})
	noErr(t, "GuestData", err)
	wantEqual(t, "GuestData stay", *data.Stay, st)
	wantEqual(t, "GuestData conversations", len(data.Conversations), 2)
	wantEqual(t, "GuestData messages", len(data.Messages), 2)
	wantEqual(t, "GuestData sessions", len(data.Sessions), 1)
	wantEqual(t, "GuestData orders", data.Orders, []concierge.Order{o})
	_, err = s.GuestData(ctx, concierge.Owner{PropertyID: pl.Property.ID, StayID: new(int64(1 << 40))})
	wantErr(t, "GuestData of nothing", err, concierge.ErrNotFound)

	// A held conversation stays, and so does the stay.
	noErr(t, "SetLegalHold", concierge.NewConfiguration(s).SetLegalHold(ctx, concierge.LegalHold{ConversationID: c2.ID, Reason: "r", SetBy: "b", SetAt: t0}, nil))
	audit := &concierge.AuditEntry{At: at(9), ActorKind: concierge.ActorSystem, Action: concierge.AuditGuestDataErased,
		ObjectKind: "stay", ObjectRef: "x"}
	e, err := concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: pl.Property.ID, StayID: &st.ID}, audit)
	noErr(t, "EraseGuestData", err)
	wantEqual(t, "erasure with a hold", e, concierge.Erasure{Conversations: 1, Messages: 1, Held: 1})
	_, err = s.ConversationByCode(ctx, c1.Code)
	wantErr(t, "erased conversation", err, concierge.ErrNotFound)
	_, err = s.ConversationByCode(ctx, c2.Code)
	noErr(t, "held conversation", err)
	_, err = s.StayByID(ctx, st.ID)
	noErr(t, "stay with a held conversation", err)
	evs, err := s.EventsAfter(ctx, 0, 0)
	noErr(t, "EventsAfter", err)
	for _, ev := range evs {
		if ev.ConversationID == c1.ID {
			t.Errorf("event %d of the erased conversation is kept", ev.Seq)
		}
	}
	rec, _, err := s.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "k", RequestHash: []byte{1}, CreatedAt: t0})
	noErr(t, "ReserveIdempotencyKey", err)
	if rec.Done {
		t.Error("the idempotency record naming the erased conversation is kept")
	}
	rec, _, err = s.ReserveIdempotencyKey(ctx, concierge.IdempotentRecord{Scope: "s", Key: "other", RequestHash: []byte{2}, CreatedAt: t0})
	noErr(t, "ReserveIdempotencyKey", err)
	if !rec.Done || rec.StayID == nil || *rec.StayID != keep.ID || rec.GuestID != nil ||
		rec.SecretKind != concierge.SecretGuestSession || rec.SecretRef != 7 {
		t.Errorf("the idempotency record of another stay: %+v", rec)
	}
	entries, err := s.ListAudit(ctx, concierge.AuditFilter{Limit: 1})
	noErr(t, "ListAudit", err)
	if len(entries) != 1 || entries[0].Action != concierge.AuditGuestDataErased {
		t.Errorf("audit after erasure: %+v", entries)
	}

	noErr(t, "ClearLegalHold", concierge.NewConfiguration(s).ClearLegalHold(ctx, c2.ID, nil))
	e, err = concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: pl.Property.ID, StayID: &st.ID}, nil)
	noErr(t, "EraseGuestData after the hold", err)
	wantEqual(t, "erasure", e, concierge.Erasure{Conversations: 1, Messages: 1, OwnerErased: true})
	_, err = s.StayByID(ctx, st.ID)
	wantErr(t, "erased stay", err, concierge.ErrNotFound)
	_, err = s.SessionByID(ctx, sess.ID)
	wantErr(t, "session of the erased stay", err, concierge.ErrNotFound)
	_, err = s.OrderByID(ctx, o.ID)
	wantErr(t, "order of the erased stay", err, concierge.ErrNotFound)
	_, err = s.ConversationByCode(ctx, ck.Code)
	noErr(t, "another stay's conversation", err)
	_, err = concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: pl.Property.ID, StayID: &st.ID}, nil)
	wantErr(t, "EraseGuestData of an erased stay", err, concierge.ErrNotFound)

	// A non-verified guest.
	g := mustGuest(t, s, pl.Property.ID, code("guest"))
	gc := conversation(pl.Outlet, nil, &g.ID)
	gm := message(concierge.MessageGuest, 4)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &gc, &gm))
	e, err = concierge.NewErasures(s, nil).Erase(ctx, concierge.Owner{PropertyID: pl.Property.ID, GuestID: &g.ID}, nil)
	noErr(t, "EraseGuestData guest", err)
	wantEqual(t, "guest erasure", e, concierge.Erasure{Conversations: 1, Messages: 1, OwnerErased: true})
	_, err = s.GuestByID(ctx, g.ID)
	wantErr(t, "erased guest", err, concierge.ErrNotFound)
}
