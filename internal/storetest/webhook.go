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
	noErr(t, "CreateWebhook", s.CreateWebhook(t.Context(), &w, nil))
	return w
}

func testWebhooks(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	pl := mustPlace(t, s, code("WH"))
	other := mustPlace(t, s, code("WH"))
	c := conversation(pl.Outlet, nil, nil)
	noErr(t, "CreateConversation", s.CreateConversation(ctx, &c, nil))
	latest, err := s.LatestEventSeq(ctx)
	noErr(t, "LatestEventSeq", err)

	audit := &concierge.AuditEntry{At: t0, ActorKind: concierge.ActorSystem, Action: concierge.AuditWebhookCreated,
		ObjectKind: "webhook", PropertyID: &pl.Property.ID}
	w := concierge.Webhook{PropertyID: pl.Property.ID, URL: "https://a.example/hook",
		Kinds: []concierge.EventKind{concierge.EventMessageCreated}, Secret: "k", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	noErr(t, "CreateWebhook", s.CreateWebhook(ctx, &w, audit))
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
	noErr(t, "UpdateWebhook", s.UpdateWebhook(ctx, w, nil))
	got, err = s.WebhookByID(ctx, w.ID)
	noErr(t, "WebhookByID after update", err)
	wantEqual(t, "updated webhook", got, w)
	wantErr(t, "UpdateWebhook of nothing", s.UpdateWebhook(ctx, concierge.Webhook{ID: 1 << 40}, nil), concierge.ErrNotFound)

	noErr(t, "DeleteWebhook", s.DeleteWebhook(ctx, w.ID, nil))
	_, err = s.WebhookByID(ctx, w.ID)
	wantErr(t, "WebhookByID after delete", err, concierge.ErrNotFound)
	wantErr(t, "DeleteWebhook twice", s.DeleteWebhook(ctx, w.ID, nil), concierge.ErrNotFound)
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
	noErr(t, "CreateConversation", s.CreateConversation(ctx, &c, nil))

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

	ok, err = s.ClaimWebhookDelivery(ctx, d1.ID, d1.NextAttemptAt, at(100))
	noErr(t, "ClaimWebhookDelivery", err)
	if !ok {
		t.Fatal("ClaimWebhookDelivery at its next attempt failed")
	}
	ok, err = s.ClaimWebhookDelivery(ctx, d1.ID, d1.NextAttemptAt, at(200))
	noErr(t, "ClaimWebhookDelivery again", err)
	if ok {
		t.Error("a second claim at the same expected time succeeded")
	}

	delivered := at(101)
	d1.Status, d1.Attempts, d1.NextAttemptAt, d1.LastError, d1.LastStatus, d1.DeliveredAt =
		concierge.DeliveryDelivered, 2, at(100), "", 204, &delivered
	noErr(t, "RecordWebhookAttempt", s.RecordWebhookAttempt(ctx, d1))
	d2.Status, d2.Attempts, d2.LastError, d2.LastStatus = concierge.DeliveryDead, 9, "connection refused", 0
	noErr(t, "RecordWebhookAttempt dead", s.RecordWebhookAttempt(ctx, d2))
	wantErr(t, "RecordWebhookAttempt of nothing", s.RecordWebhookAttempt(ctx, delivery(1, 1)), concierge.ErrNotFound)

	next, err = s.NextWebhookDelivery(ctx, w.ID)
	noErr(t, "NextWebhookDelivery after outcomes", err)
	wantEqual(t, "next delivery", next.ID, d3.ID)
	byID, err := s.WebhookDeliveryByID(ctx, w.ID, d1.ID)
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

	n, err := s.RedeliverWebhook(ctx, w.ID, concierge.Redelivery{ID: d2.ID}, at(300), nil)
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

	noErr(t, "DeleteWebhook", s.DeleteWebhook(ctx, w.ID, nil))
	_, err = s.WebhookDeliveryByID(ctx, w.ID, d1.ID)
	wantErr(t, "deliveries of a deleted webhook", err, concierge.ErrNotFound)
}
