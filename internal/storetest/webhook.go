package storetest

import (
	"fmt"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// mustWebhook creates an enabled webhook of the property.
func mustWebhook(t *testing.T, s concierge.Store, propertyID int64) concierge.Webhook {
	t.Helper()
	w := concierge.Webhook{PropertyID: propertyID, URL: "https://hooks.example.com/" + code("W"),
		Kinds:  []concierge.EventKind{concierge.EventConversationUpdated, concierge.EventMessageCreated},
		Secret: "s3cret", Enabled: true, Cursor: 999, CreatedAt: t0, UpdatedAt: t0}
	noErr(t, "CreateWebhook", concierge.NewConfiguration(s).CreateWebhook(t.Context(), &w, nil))
	return w
}

func testWebhooks(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("WH"))
	other := mustPlace(t, s, code("WH"))
	c := conversation(pl.Outlet, nil, nil)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, nil))
	latest, err := s.LatestEventSeq(ctx)
	noErr(t, "LatestEventSeq", err)

	audit := &concierge.AuditEntry{At: t0, ActorKind: concierge.ActorSystem, Action: concierge.AuditWebhookCreated,
		ObjectKind: "webhook", PropertyID: &pl.Property.ID}
	w := concierge.Webhook{PropertyID: pl.Property.ID, URL: "https://a.example/hook",
		Kinds: []concierge.EventKind{concierge.EventMessageCreated}, Secret: "k", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	noErr(t, "CreateWebhook", concierge.NewConfiguration(s).CreateWebhook(ctx, &w, audit))
	if w.ID <= 0 || w.Cursor != latest {
		t.Fatalf("CreateWebhook: id %d cursor %d, want a positive id and cursor %d (the newest event)", w.ID, w.Cursor, latest)
	}
	got, err := s.WebhookByID(ctx, w.ID)
	noErr(t, "WebhookByID", err)
	wantEqual(t, "WebhookByID", got, w)
	entries, err := s.ListAudit(ctx, concierge.AuditFilter{Limit: 1})
	noErr(t, "ListAudit", err)
	if len(entries) != 1 || entries[0].Action != concierge.AuditWebhookCreated || entries[0].ObjectRef != fmt.Sprint(w.ID) {
		t.Errorf("audit after CreateWebhook: %+v, want webhook.created of %d", entries, w.ID)
	}

	w2 := mustWebhook(t, s, other.Property.ID)
	list, err := s.ListWebhooks(ctx, pl.Property.ID)
	noErr(t, "ListWebhooks", err)
	wantEqual(t, "ListWebhooks of the property", list, []concierge.Webhook{w})
	all, err := s.ListWebhooks(ctx, 0)
	noErr(t, "ListWebhooks all", err)
	wantEqual(t, "ListWebhooks of every property", all, []concierge.Webhook{w, w2})

	w.URL, w.Kinds, w.Secret, w.Enabled, w.UpdatedAt = "https://b.example/x", []concierge.EventKind{concierge.EventOrderUpdated}, "k2", false, at(5)
	noErr(t, "UpdateWebhook", concierge.NewConfiguration(s).UpdateWebhook(ctx, w, nil))
	got, err = s.WebhookByID(ctx, w.ID)
	noErr(t, "WebhookByID after update", err)
	wantEqual(t, "updated webhook", got, w)
	wantErr(t, "UpdateWebhook of nothing", concierge.NewConfiguration(s).UpdateWebhook(ctx, concierge.Webhook{ID: 1 << 40}, nil), concierge.ErrNotFound)

	noErr(t, "DeleteWebhook", concierge.NewConfiguration(s).DeleteWebhook(ctx, w.ID, nil))
	_, err = s.WebhookByID(ctx, w.ID)
	wantErr(t, "WebhookByID after delete", err, concierge.ErrNotFound)
	wantErr(t, "DeleteWebhook twice", concierge.NewConfiguration(s).DeleteWebhook(ctx, w.ID, nil), concierge.ErrNotFound)
}

// delivery returns a pending delivery of event seq.
func delivery(seq, conversationID int64) concierge.WebhookDelivery {
	return concierge.WebhookDelivery{ID: code("whd"), EventSeq: seq, Kind: concierge.EventMessageCreated,
		ConversationID: conversationID, Body: []byte(`{"seq":` + fmt.Sprint(seq) + `}`), Status: concierge.DeliveryPending,
		NextAttemptAt: at(int(seq)), WindowStart: at(int(seq)), CreatedAt: at(int(seq))}
}

func testDeliveries(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("WD"))
	w := mustWebhook(t, s, pl.Property.ID)
	c := conversation(pl.Outlet, nil, nil)
	noErr(t, "CreateConversation", concierge.NewConversations(s).Create(ctx, &c, nil))

	_, err := s.NextWebhookDelivery(ctx, w.ID)
	wantErr(t, "NextWebhookDelivery with none", err, concierge.ErrNotFound)

	d1, d2, d3 := delivery(w.Cursor+1, c.ID), delivery(w.Cursor+2, c.ID), delivery(w.Cursor+3, c.ID)
	d1.WebhookID, d2.WebhookID, d3.WebhookID = w.ID, w.ID, w.ID
	ok, err := s.AdvanceWebhook(ctx, w.ID, w.Cursor, w.Cursor+3, []concierge.WebhookDelivery{d2, d1, d3})
	noErr(t, "AdvanceWebhook", err)
	if !ok {
		t.Fatal("AdvanceWebhook from the cursor did not advance")
	}
	ok, err = s.AdvanceWebhook(ctx, w.ID, w.Cursor, w.Cursor+5, []concierge.WebhookDelivery{delivery(w.Cursor+4, c.ID)})
	noErr(t, "AdvanceWebhook from a stale cursor", err)
	if ok {
		t.Error("AdvanceWebhook from a stale cursor advanced")
	}
	got, err := s.WebhookByID(ctx, w.ID)
	noErr(t, "WebhookByID", err)
	wantEqual(t, "cursor after advancing", got.Cursor, w.Cursor+3)
	ok, err = s.AdvanceWebhook(ctx, 1<<40, 0, 1, nil)
	noErr(t, "AdvanceWebhook of nothing", err)
	if ok {
		t.Error("AdvanceWebhook of a missing webhook advanced")
	}

	next, err := s.NextWebhookDelivery(ctx, w.ID)
	noErr(t, "NextWebhookDelivery", err)
	wantEqual(t, "next delivery (lowest seq)", next, d1)

	// Leases carry nanoseconds, as the dispatcher's do: they are compared at the stored precision.
	lease1 := at(100).Add(1234)
	ok, err = s.ClaimWebhookDelivery(ctx, d1.ID, d1.NextAttemptAt, lease1)
	noErr(t, "ClaimWebhookDelivery", err)
	if !ok {
		t.Fatal("ClaimWebhookDelivery at its next attempt failed")
	}
	ok, err = s.ClaimWebhookDelivery(ctx, d1.ID, d1.NextAttemptAt, at(200))
	noErr(t, "ClaimWebhookDelivery again", err)
	if ok {
		t.Error("a second claim at the same expected time succeeded")
	}
	// record stores an outcome of d1 with lease and checks whether it was stored.
	record := func(what string, d concierge.WebhookDelivery, lease time.Time, want bool) {
		t.Helper()
		stored, err := s.RecordWebhookAttempt(ctx, d, lease)
		noErr(t, "RecordWebhookAttempt "+what, err)
		if stored != want {
			t.Errorf("RecordWebhookAttempt %s: stored %t, want %t", what, stored, want)
		}
	}

	// A redelivery while the attempt is in flight takes the lease: the attempt's outcome is
	// dropped and the redelivery stands.
	n, err := s.RedeliverWebhook(ctx, w.ID, concierge.Redelivery{ID: d1.ID}, at(150), nil)
	noErr(t, "RedeliverWebhook during an attempt", err)
	wantEqual(t, "redelivered during an attempt", n, 1)
	delivered := at(101)
	outcome := d1
	outcome.Status, outcome.Attempts, outcome.NextAttemptAt, outcome.LastStatus, outcome.DeliveredAt =
		concierge.DeliveryDelivered, 1, at(101), 204, &delivered
	record("with the lease a redelivery took", outcome, lease1, false)
	d1.WindowStart, d1.NextAttemptAt = at(150), at(150)
	byID, err := s.WebhookDeliveryByID(ctx, w.ID, d1.ID)
	noErr(t, "WebhookDeliveryByID after a dropped outcome", err)
	wantEqual(t, "redelivered delivery after a dropped outcome", byID, d1)

	// The current lease stores the outcome (here a failure, to be retried).
	lease2 := at(160).Add(5678)
	ok, err = s.ClaimWebhookDelivery(ctx, d1.ID, d1.NextAttemptAt, lease2)
	noErr(t, "ClaimWebhookDelivery after redelivery", err)
	if !ok {
		t.Fatal("ClaimWebhookDelivery after redelivery failed")
	}
	record("with a lease a redelivery took, after another claim", outcome, lease1, false)
	d1.Attempts, d1.NextAttemptAt, d1.LastError, d1.LastStatus = 1, at(170), "HTTP 503", 503
	record("with the current lease", d1, lease2, true)
	byID, err = s.WebhookDeliveryByID(ctx, w.ID, d1.ID)
	noErr(t, "WebhookDeliveryByID after an outcome", err)
	wantEqual(t, "failed attempt", byID, d1)

	// An attempt whose lease ended, after which another claim took the delivery, stores nothing.
	lease3 := at(180).Add(91011)
	ok, err = s.ClaimWebhookDelivery(ctx, d1.ID, d1.NextAttemptAt, lease3)
	noErr(t, "ClaimWebhookDelivery of the retry", err)
	if !ok {
		t.Fatal("ClaimWebhookDelivery of the retry failed")
	}
	record("with a lease another claim replaced", outcome, lease2, false)
	byID, err = s.WebhookDeliveryByID(ctx, w.ID, d1.ID)
	noErr(t, "WebhookDeliveryByID after a stale outcome", err)
	if byID.Status != concierge.DeliveryPending || byID.Attempts != 1 || byID.DeliveredAt != nil {
		t.Errorf("a stale outcome was stored: %+v", byID)
	}

	d1.Status, d1.Attempts, d1.NextAttemptAt, d1.LastError, d1.LastStatus, d1.DeliveredAt =
		concierge.DeliveryDelivered, 2, at(181), "", 204, &delivered
	record("delivered", d1, lease3, true)
	record("twice", d1, lease3, false)
	ok, err = s.ClaimWebhookDelivery(ctx, d2.ID, d2.NextAttemptAt, at(200))
	noErr(t, "ClaimWebhookDelivery d2", err)
	if !ok {
		t.Fatal("ClaimWebhookDelivery d2 failed")
	}
	d2.Status, d2.Attempts, d2.LastError, d2.LastStatus = concierge.DeliveryDead, 9, "connection refused", 0
	record("dead", d2, at(200), true)
	_, err = s.RecordWebhookAttempt(ctx, delivery(1, 1), at(1))
	wantErr(t, "RecordWebhookAttempt of nothing", err, concierge.ErrNotFound)

	next, err = s.NextWebhookDelivery(ctx, w.ID)
	noErr(t, "NextWebhookDelivery after outcomes", err)
	wantEqual(t, "next delivery", next.ID, d3.ID)
	byID, err = s.WebhookDeliveryByID(ctx, w.ID, d1.ID)
	noErr(t, "WebhookDeliveryByID", err)
	wantEqual(t, "delivered delivery", byID, d1)
	_, err = s.WebhookDeliveryByID(ctx, w.ID+1, d1.ID)
	wantErr(t, "WebhookDeliveryByID of another webhook", err, concierge.ErrNotFound)

	list, err := s.ListWebhookDeliveries(ctx, w.ID, concierge.DeliveryFilter{})
	noErr(t, "ListWebhookDeliveries", err)
	wantEqual(t, "every delivery, newest first", list, []concierge.WebhookDelivery{d3, d2, d1})
	list, err = s.ListWebhookDeliveries(ctx, w.ID, concierge.DeliveryFilter{Status: concierge.DeliveryDead})
	noErr(t, "ListWebhookDeliveries dead", err)
	wantEqual(t, "dead deliveries", list, []concierge.WebhookDelivery{d2})
	list, err = s.ListWebhookDeliveries(ctx, w.ID, concierge.DeliveryFilter{BeforeSeq: d3.EventSeq, Limit: 1})
	noErr(t, "ListWebhookDeliveries page", err)
	wantEqual(t, "page", list, []concierge.WebhookDelivery{d2})

	n, err = s.RedeliverWebhook(ctx, w.ID, concierge.Redelivery{ID: d2.ID}, at(300), nil)
	noErr(t, "RedeliverWebhook one", err)
	wantEqual(t, "redelivered", n, 1)
	got2, err := s.WebhookDeliveryByID(ctx, w.ID, d2.ID)
	noErr(t, "WebhookDeliveryByID", err)
	if got2.Status != concierge.DeliveryPending || got2.Attempts != 0 || !got2.NextAttemptAt.Equal(at(300)) ||
		!got2.WindowStart.Equal(at(300)) || got2.LastError != d2.LastError || string(got2.Body) != string(d2.Body) {
		t.Errorf("redelivered delivery: %+v", got2)
	}
	_, err = s.RedeliverWebhook(ctx, w.ID, concierge.Redelivery{ID: "whd_nothing"}, at(300), nil)
	wantErr(t, "RedeliverWebhook of nothing", err, concierge.ErrNotFound)
	n, err = s.RedeliverWebhook(ctx, w.ID, concierge.Redelivery{From: d1.CreatedAt, To: d1.CreatedAt.Add(time.Nanosecond)}, at(400), nil)
	noErr(t, "RedeliverWebhook range", err)
	wantEqual(t, "redelivered in range", n, 1)
	next, err = s.NextWebhookDelivery(ctx, w.ID)
	noErr(t, "NextWebhookDelivery after redelivery", err)
	wantEqual(t, "next is the lowest seq again", next.ID, d1.ID)

	noErr(t, "DeleteWebhook", concierge.NewConfiguration(s).DeleteWebhook(ctx, w.ID, nil))
	_, err = s.WebhookDeliveryByID(ctx, w.ID, d1.ID)
	wantErr(t, "deliveries of a deleted webhook", err, concierge.ErrNotFound)
}
