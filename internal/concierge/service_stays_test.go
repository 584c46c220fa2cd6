package concierge

import (
	"reflect"
	"testing"
)

func TestOrderStatusText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang     string
		status   OrderStatus
		text     string
		textLang string
	}{
		{"en", OrderDelivering, "Your order ORD-1 is on its way.", "en"},
		{"es-MX", OrderDelivering, "Su pedido ORD-1 está en camino.", "es"},
		{"DE", OrderCancelled, "Ihre Bestellung ORD-1 wurde storniert.", "de"},
		{"fr", OrderCompleted, "Votre commande ORD-1 a été livrée.", "fr"},
		{"it", OrderAcknowledged, "Your order ORD-1 has been confirmed.", "en"},
		{"", OrderPending, "Your order ORD-1 has been received.", "en"},
		{"not a tag!", OrderPending, "Your order ORD-1 has been received.", "en"},
	} {
		text, lang := OrderStatusText(c.lang, c.status, "ORD-1")
		if text != c.text || lang != c.textLang {
			t.Errorf("OrderStatusText(%q, %s) = %q, %q; want %q, %q", c.lang, c.status, text, lang, c.text, c.textLang)
		}
	}
	// Every status has a text in every built-in language.
	for _, lang := range []string{"en", "es", "de", "fr"} {
		for _, st := range []OrderStatus{OrderPending, OrderAcknowledged, OrderDelivering, OrderCompleted, OrderCancelled} {
			if orderStatusText(lang, st) == "" {
				t.Errorf("no %s text for %s", lang, st)
			}
		}
	}
}

func TestStayOf(t *testing.T) {
	t.Parallel()
	prop := Property{ID: 7, DefaultLanguage: "en"}
	st, err := stayOf(prop, " BK-1 ", StayInput{RoomNumber: " 101 ", FirstName: " Ana ", LastName: "García", Arrival: "2026-11-24", Departure: "2026-11-24"})
	want := Stay{PropertyID: 7, RoomNumber: "101", FirstName: "Ana", LastName: "García", Language: "en", Arrival: "2026-11-24",
		Departure: "2026-11-24", BookingReference: "BK-1"}
	if err != nil || st != want {
		t.Fatalf("stayOf = %+v, %v", st, err)
	}
	_, err = stayOf(prop, "", StayInput{FirstName: "\xff", Language: "zz-!!", Arrival: "2026-02-30", Departure: "x"})
	e, ok := err.(*Error)
	if !ok || e.Code != CodeValidationFailed {
		t.Fatalf("err %v", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	if want := []string{"bookingReference", "roomNumber", "firstName", "lastName", "languageCode", "arrival", "departure"}; !reflect.DeepEqual(fields, want) {
		t.Fatalf("fields %v", fields)
	}
	if got := rejectionReason(err); got != "bookingReference: is required; roomNumber: is required; firstName: must be valid UTF-8; lastName: is required; languageCode: is not a known BCP 47 language tag; arrival: must be a date YYYY-MM-DD; departure: must be a date YYYY-MM-DD" {
		t.Fatalf("reason %q", got)
	}
}

func TestAdminPropertyRoles(t *testing.T) {
	t.Parallel()
	s := &Service{}
	for _, p := range []*Principal{nil, {Role: RoleAgent}, {Role: "guest"}} {
		if _, err := s.adminProperty(t.Context(), p, "DEMO"); ErrorCode(err) != CodeForbidden {
			t.Errorf("%v: %v, want Forbidden", p, err)
		}
	}
	if !LocalOperator().IsAdmin() {
		t.Error("the local operator is no admin")
	}
}
