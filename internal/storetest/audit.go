package storetest

import (
	"testing"

	"concierge/internal/concierge"
)

func testAudit(t *testing.T, s concierge.Store) {
	ctx := t.Context()
	empty, err := s.ListAudit(ctx, concierge.AuditFilter{})
	noErr(t, "ListAudit on an empty log", err)
	wantEqual(t, "empty log", len(empty), 0)

	p1, p2 := int64(11), int64(12)
	uid := int64(7)
	var entries []concierge.AuditEntry
	for i, e := range []concierge.AuditEntry{
		{At: at(1), ActorKind: concierge.ActorStaff, ActorID: &uid, ActorName: "boss", Action: concierge.AuditLogin,
			ObjectKind: "staff_user", ObjectRef: "7", Client: "192.0.2.1"},
		{At: at(2), ActorKind: concierge.ActorNone, Action: concierge.AuditLoginFailed, Client: "2001:db8::1", Detail: "unknown username"},
		{At: at(3), ActorKind: concierge.ActorAPIKey, ActorID: &uid, ActorName: "PMS", Action: concierge.AuditWebhookCreated,
			ObjectKind: "webhook", ObjectRef: "1", PropertyID: &p1, Client: "192.0.2.2"},
		{At: at(4), ActorKind: concierge.ActorSystem, Action: concierge.AuditRetentionErased, ObjectKind: "stay",
			ObjectRef: "stay:9", PropertyID: &p2, Detail: "x"},
	} {
		noErr(t, "AppendAudit", s.AppendAudit(ctx, &e))
		if e.ID <= 0 || (i > 0 && e.ID <= entries[i-1].ID) {
			t.Fatalf("AppendAudit id %d after %v", e.ID, entries)
		}
		entries = append(entries, e)
	}
	all, err := s.ListAudit(ctx, concierge.AuditFilter{})
	noErr(t, "ListAudit", err)
	wantEqual(t, "all entries, newest first", all, []concierge.AuditEntry{entries[3], entries[2], entries[1], entries[0]})

	pg, err := s.ListAudit(ctx, concierge.AuditFilter{BeforeID: entries[2].ID, Limit: 1})
	noErr(t, "ListAudit page", err)
	wantEqual(t, "page before the third", pg, []concierge.AuditEntry{entries[1]})

	scoped, err := s.ListAudit(ctx, concierge.AuditFilter{PropertyIDs: []int64{p1}})
	noErr(t, "ListAudit scoped", err)
	wantEqual(t, "entries of property 1", scoped, []concierge.AuditEntry{entries[2]})
	none, err := s.ListAudit(ctx, concierge.AuditFilter{PropertyIDs: []int64{}})
	noErr(t, "ListAudit no properties", err)
	wantEqual(t, "entries of no property", len(none), 0)
}
