package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"concierge/api"
)

// etagPattern is the shape of a configuration object's ETag: a quoted strong tag.
var etagPattern = regexp.MustCompile(`^"[0-9a-f]{32}"$`)

// TestConfigurationETagsAndLocation checks the REST details integrators expect of every
// configuration object (properties, service centers, outlets, staff users, webhooks): a 201
// names the new object in Location, which answers it with the same ETag; an update with a
// stale If-Match is 412 PreconditionFailed and changes nothing; with the current tag (or "*",
// or none) it goes through and the tag changes with the object.
func TestConfigurationETagsAndLocation(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOptions{demo: true})
	admin := s.staffLogin(t, "admin")
	send := func(method, path string, body any, ifMatch string) response {
		t.Helper()
		if ifMatch == "" {
			return s.admin(t, admin, method, path, body)
		}
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if body == nil {
			raw = nil
		}
		h := bearer(admin)
		h["If-Match"] = ifMatch
		return s.do(t, method, path, raw, h)
	}
	for _, c := range []struct {
		name, collection string
		create           any    // the api request that creates the object
		update, method   string // the field an update changes, and the update's method
		disable          string // for staff users: an action that changes the object too
	}{
		{name: "property", collection: pathProperties, update: "name",
			create: api.PropertyRequest{Code: ptr("HILLTOP"), Name: ptr("Hilltop"), BrandCode: ptr("HB"), GroupCode: ptr("HG"),
				TimeZone: ptr("Europe/Madrid"), DefaultLanguage: ptr("en")}},
		{name: "service center", collection: pathProperties + "/DEMO/service-centers", update: "name",
			create: api.ServiceCenterRequest{Code: ptr("CON"), Name: ptr("Concierge Desk"), StaffLanguage: ptr("en")}},
		{name: "outlet", collection: pathProperties + "/DEMO/outlets", update: "description",
			create: api.OutletRequest{Code: ptr("BAR"), Name: ptr("Pool Bar"), ServiceCenter: ptr("FO"), AllowGuestMessages: ptr(true)}},
		{name: "staff user", collection: pathStaffUsers, update: "displayName", disable: "/disable",
			create: api.StaffUserRequest{Username: ptr("night.agent"), DisplayName: ptr("Night Agent"), Password: ptr("night-password-1"),
				Role: ptr("agent"), ServiceCenters: &[]api.CenterRef{{Property: "DEMO", Code: "FO"}}}},
		{name: "webhook", collection: pathProperties + "/DEMO/webhooks", update: "url",
			create: api.WebhookRequest{URL: ptr("https://93.184.216.34/hook"), Kinds: &[]string{"message.created"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			created := send(http.MethodPost, c.collection, c.create, "").wantStatus(t, http.StatusCreated)
			loc, tag := created.Header.Get("Location"), created.Header.Get("ETag")
			if !etagPattern.MatchString(tag) || loc == "" {
				t.Fatalf("201 with ETag %q, Location %q", tag, loc)
			}
			if c.name == "service center" { // a retried create replays the headers too
				h := bearer(admin)
				h["Idempotency-Key"] = "create-con"
				body, _ := json.Marshal(api.ServiceCenterRequest{Code: ptr("CON2"), Name: ptr("Second Desk"), StaffLanguage: ptr("en")})
				first := s.do(t, http.MethodPost, c.collection, body, h).wantStatus(t, http.StatusCreated)
				again := s.do(t, http.MethodPost, c.collection, body, h).wantStatus(t, http.StatusCreated)
				if again.Header.Get("Idempotent-Replayed") != "true" || again.Header.Get("ETag") != first.Header.Get("ETag") ||
					again.Header.Get("Location") != first.Header.Get("Location") || first.Header.Get("Location") == "" {
					t.Fatalf("replay headers %v, first %v", again.Header, first.Header)
				}
			}
			got := send(http.MethodGet, loc, nil, "").wantStatus(t, http.StatusOK)
			if got.Header.Get("ETag") != tag {
				t.Fatalf("GET %s: ETag %q, the create answered %q", loc, got.Header.Get("ETag"), tag)
			}
			for _, k := range keysOf(t, got.Raw) { // Location names the object created, shown the same
				if !bytes.Equal(rawPath(t, created.Raw, k), rawPath(t, got.Raw, k)) {
					t.Fatalf("GET %s is not the created object (%s): %s vs %s", loc, k, got.Raw, created.Raw)
				}
			}
			before := string(got.Raw)

			// Someone else changes it: the first reader's tag is stale.
			changed := send(http.MethodPatch, loc, map[string]string{c.update: newValue(c.update, 1)}, tag).wantStatus(t, http.StatusOK)
			newTag := changed.Header.Get("ETag")
			if !etagPattern.MatchString(newTag) || newTag == tag {
				t.Fatalf("after a change: ETag %q (was %q)", newTag, tag)
			}
			r := send(http.MethodPatch, loc, map[string]string{c.update: newValue(c.update, 2)}, tag)
			r.wantStaffError(t, http.StatusPreconditionFailed, "PreconditionFailed")
			var e api.ErrorBody
			if strictJSON(t, r.Raw, &e); e.Error.Message == "" {
				t.Fatal("412 without a message")
			}
			now := send(http.MethodGet, loc, nil, "").wantStatus(t, http.StatusOK)
			if now.Header.Get("ETag") != newTag || !bytes.Equal(rawPath(t, now.Raw, c.update), rawPath(t, changed.Raw, c.update)) || string(now.Raw) == before {
				t.Fatalf("a stale If-Match changed the object: %s", now.Raw)
			}
			// A list of tags holding the current one, a weak tag, and "*".
			send(http.MethodPatch, loc, map[string]string{c.update: newValue(c.update, 3)}, tag+", "+newTag).wantStatus(t, http.StatusOK)
			send(http.MethodPatch, loc, map[string]string{c.update: newValue(c.update, 4)}, "W/"+newTag).
				wantStaffError(t, http.StatusPreconditionFailed, "PreconditionFailed")
			last := send(http.MethodPatch, loc, map[string]string{c.update: newValue(c.update, 5)}, "*").wantStatus(t, http.StatusOK)
			send(http.MethodPatch, loc, map[string]string{c.update: newValue(c.update, 5)}, "").wantStatus(t, http.StatusOK)
			if c.disable != "" {
				send(http.MethodPost, loc+c.disable, nil, tag).wantStaffError(t, http.StatusPreconditionFailed, "PreconditionFailed")
				send(http.MethodPost, loc+c.disable, nil, last.Header.Get("ETag")).wantStatus(t, http.StatusOK)
			}
			if c.name == "webhook" {
				send(http.MethodDelete, loc, nil, tag).wantStaffError(t, http.StatusPreconditionFailed, "PreconditionFailed")
				send(http.MethodGet, loc, nil, "").wantStatus(t, http.StatusOK)
				if r := send(http.MethodDelete, loc, nil, last.Header.Get("ETag")); r.Status != http.StatusNoContent {
					t.Fatalf("delete with the current tag: HTTP %d %s", r.Status, r.Raw)
				}
			}
			// An If-Match on an object that does not exist is its NotFound.
			if c.name == "outlet" {
				send(http.MethodPatch, c.collection+"/NOPE", map[string]string{c.update: "x"}, newTag).
					wantStaffError(t, http.StatusNotFound, "OutletNotFound")
			}
		})
	}
}

// newValue is the i-th value of a field, different for each i.
func newValue(field string, i int) string {
	if field == "url" {
		return "https://93.184.216.34/hook/" + string(rune('a'+i))
	}
	return "Changed " + string(rune('A'+i))
}
