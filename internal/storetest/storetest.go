// Package storetest is the conformance suite every concierge.Store implementation passes: one
// set of tests, run by each engine's own test against a fresh store of that engine.
//
// The suite relies only on the Store contract, never on an engine's specifics: times are
// compared with Equal at microsecond precision, ids only for equality and sign, and lists in
// the order the contract documents.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"concierge/internal/concierge"
)

// Run runs every conformance test as a subtest of t. open must return a fresh, empty store
// (migrations applied) and close it when its test ends (t.Cleanup). The tests run in parallel,
// each on the store open gave it, so open must be safe for concurrent use.
func Run(t *testing.T, open func(t *testing.T) concierge.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s concierge.Store)
	}{
		{"Ping", testPing},
		{"Properties", testProperties},
		{"InterfaceTokens", testInterfaceTokens},
		{"ServiceCenters", testServiceCenters},
		{"Outlets", testOutlets},
		{"Stays", testStays},
		{"StaysInRoom", testStaysInRoom},
		{"Guests", testGuests},
		{"Orders", testOrders},
		{"StaysOrders", testStaysOrders}, // stays_orders.go
		{"Sessions", testSessions},
		{"ReplaceSession", testReplaceSession},
		{"GuestSessionByID", testGuestSessionByID}, // guestsession.go
		{"Tx", testTx},                             // tx.go
		{"TxNumbering", testTxNumbering},           // tx.go
		{"Conversations", testConversations},
		{"ConversationAtomicity", testConversationAtomicity},
		{"GuestMessagesOwnership", testGuestMessagesOwnership},
		{"GuestMessagesPaging", testGuestMessagesPaging},
		{"GuestConversations", testGuestConversations}, // guestconversations.go
		{"StaffUsers", testStaffUsers},
		{"StaffUserLookups", testStaffUserLookups},
		{"ServiceCentersByIDs", testServiceCentersByIDs},
		{"StaffSessions", testStaffSessions},
		{"StaffSessionWithUser", testStaffSessionWithUser}, // staff.go
		{"APIKeys", testAPIKeys},
		{"ConcurrentConversations", testConcurrentConversations},
		{"ConcurrentEnsureGuest", testConcurrentEnsureGuest},
		{"Admin", testAdmin},             // admin.go
		{"Inbox", testInbox},             // inbox.go
		{"Events", testEvents},           // events.go
		{"AccessEnded", testAccessEnded}, // access.go

		// Audit log (audit.go), webhooks (webhook.go), retention and erasure (retention.go).
		{"Audit", testAudit},
		{"StaffUserAudit", testStaffUserAudit},           // credaudit.go
		{"APIKeyAudit", testAPIKeyAudit},                 // credaudit.go
		{"InterfaceTokenAudit", testInterfaceTokenAudit}, // credaudit.go
		{"Webhooks", testWebhooks},
		{"Deliveries", testDeliveries},
		{"Retention", testRetention},
		{"GuestErasure", testGuestErasure},
		{"GuestUsage", testGuestUsage}, // quota.go

		{"Translations", testTranslations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each on a store of its own
			tc.fn(t, open(t))
		})
	}
}

func testPing(t *testing.T, s concierge.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping on a fresh store: %v", err)
	}
}

// t0 is the suite's reference instant; times are at microsecond precision, which every engine
// keeps.
var t0 = time.Date(2025, time.January, 18, 7, 52, 37, 92395000, time.UTC)

// at returns t0 plus n minutes.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

var codeSeq atomic.Int64

// code returns a code unique within the test binary, with the given prefix.
func code(prefix string) string {
	return fmt.Sprintf("%s-%06d", prefix, codeSeq.Add(1))
}

// wantErr fails the test unless err wraps target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want one that is %v", what, err, target)
	}
}

// noErr stops the test when err is not nil.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantEqual fails the test unless got equals want, comparing times with Equal and treating
// nil and empty slices alike.
func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !equal(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

var timeType = reflect.TypeFor[time.Time]()

// equal reports whether a and b are deeply equal once every time.Time in them is in UTC without
// a monotonic reading and every empty slice is nil.
func equal[T any](a, b T) bool {
	va, vb := reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem()
	normalize(va)
	normalize(vb)
	return reflect.DeepEqual(va.Interface(), vb.Interface())
}

// normalize rewrites v in place (copying what pointers and slices share) for equal.
func normalize(v reflect.Value) {
	if !v.CanSet() {
		return
	}
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC().Round(0)))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			normalize(v.Field(i))
		}
	case v.Kind() == reflect.Pointer && !v.IsNil():
		cp := reflect.New(v.Type().Elem())
		cp.Elem().Set(v.Elem())
		normalize(cp.Elem())
		v.Set(cp)
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		cp := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(cp, v)
		for i := range cp.Len() {
			normalize(cp.Index(i))
		}
		v.Set(cp)
	}
}
