package concierge

import (
	"slices"
	"strings"
	"testing"
)

func TestCheckKinds(t *testing.T) {
	t.Parallel()
	var v Validation
	got := checkKinds(&v, []string{" order.updated", "message.created", "order.updated"})
	if v.Err() != nil || !slices.Equal(got, []EventKind{EventMessageCreated, EventOrderUpdated}) {
		t.Errorf("checkKinds = %v, %v", got, v.Err())
	}
	for _, bad := range [][]string{nil, {}, {"message.deleted"}, {"message.created", ""}, {"Message.Created"}} {
		var v Validation
		if checkKinds(&v, bad); v.Err() == nil {
			t.Errorf("checkKinds(%q) accepted", bad)
		}
	}
}

func TestCheckWebhookSecret(t *testing.T) {
	t.Parallel()
	for secret, ok := range map[string]bool{
		"whsec_0123456789":        true,
		strings.Repeat("a", 16):   true,
		strings.Repeat("a", 15):   false,
		strings.Repeat("a", 201):  false,
		"has a space 0123456789":  false,
		"tab\tinside0123456789":   false,
		"nul\x00inside0123456789": false,
	} {
		var v Validation
		checkWebhookSecret(&v, secret)
		if (v.Err() == nil) != ok {
			t.Errorf("checkWebhookSecret(%q) = %v, want ok %t", secret, v.Err(), ok)
		}
	}
}
