package storecache

import (
	"testing"
	"time"

	"concierge/internal/concierge"
)

// TestChangeElsewhereSeenAfterTTL checks that a change written to the database without the
// decorator (by another node) is answered from memory until Options.TTL has passed since the
// read, and read from the store from then on, for each of the three caches.
func TestChangeElsewhereSeenAfterTTL(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	props := &propertyStore{props: twoProperties()}
	outlets := &outletStore{outlets: []concierge.Outlet{{ID: 1, PropertyID: 1, Code: "FRONTDESK"}}}
	centers := &centerStore{centers: map[int64]concierge.ServiceCenter{1: {ID: 1, Code: "FO", StaffLanguage: "es"}}}
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) // moves only when the test says
	now := func() time.Time { return clock }
	const ttl = time.Minute
	p, o, sc := New(props, Options{TTL: ttl}), New(outlets, Options{TTL: ttl}), New(centers, Options{TTL: ttl})
	p.properties.now, o.outlets.now, sc.centers.now = now, now, now
	read := func() (string, int, string) {
		t.Helper()
		prop, err := p.PropertyByID(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := o.OutletsByProperty(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		c, err := sc.ServiceCenterByID(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return prop.TimeZone, len(outs), c.StaffLanguage
	}
	read()

	// Another node changes all three.
	changed := props.props[1]
	changed.TimeZone = "Atlantic/Canary"
	props.props[1] = changed
	outlets.outlets = append(outlets.outlets, concierge.Outlet{ID: 2, PropertyID: 1, Code: "BAR"})
	centers.centers[1] = concierge.ServiceCenter{ID: 1, Code: "FO", StaffLanguage: "de"}

	clock = clock.Add(ttl - time.Nanosecond)
	if zone, n, lang := read(); zone != "Europe/Madrid" || n != 1 || lang != "es" {
		t.Errorf("before the TTL: %s, %d outlets, %s; want the values read before the change", zone, n, lang)
	}
	clock = clock.Add(time.Nanosecond)
	if zone, n, lang := read(); zone != "Atlantic/Canary" || n != 2 || lang != "de" {
		t.Errorf("after the TTL: %s, %d outlets, %s; want Atlantic/Canary, 2 outlets, de", zone, n, lang)
	}
	if props.reads != 2 || outlets.reads != 2 || centers.reads != 2 {
		t.Errorf("store reads %d, %d, %d; want 2 each", props.reads, outlets.reads, centers.reads)
	}
}

// TestMaxEntries checks that a cache holding Options.MaxEntries keys starts afresh on the
// next new key.
func TestMaxEntries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	props := twoProperties()
	props[3] = concierge.Property{ID: 3, Code: "LIMA"}
	store := &propertyStore{props: props}
	c := New(store, Options{MaxEntries: 2})
	for _, id := range []int64{1, 2, 1, 2} {
		if _, err := c.PropertyByID(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if store.reads != 2 {
		t.Fatalf("%d store reads for two keys within the cap, want 2", store.reads)
	}
	for _, id := range []int64{3, 3, 1} {
		if _, err := c.PropertyByID(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if store.reads != 4 {
		t.Errorf("%d store reads, want 4 (the third key emptied the cache, so 1 was read again)", store.reads)
	}
}

// TestReadBeforeInvalidationNotKept checks that a value read while an invalidation happens
// (a write committed during the read) is returned but not kept.
func TestReadBeforeInvalidationNotKept(t *testing.T) {
	t.Parallel()
	c := ttlCache[int, string]{ttl: time.Hour, max: 10, now: time.Now}
	reads := 0
	load := func(v string, invalidate bool) func() (string, error) {
		return func() (string, error) {
			reads++
			if invalidate {
				c.invalidate(1)
			}
			return v, nil
		}
	}
	if v, _ := c.get(1, load("old", true)); v != "old" {
		t.Fatalf("get = %q, want the value read", v)
	}
	if v, _ := c.get(1, load("new", false)); v != "new" || reads != 2 {
		t.Fatalf("get after a read overtaken by an invalidation = %q (%d reads), want new from the store", v, reads)
	}
	if v, _ := c.get(1, load("newer", false)); v != "new" || reads != 2 {
		t.Fatalf("third get = %q (%d reads), want new from the cache", v, reads)
	}
}

// TestZones checks that Zones answers each name with its zone, UTC for an unknown one, and
// the same *time.Location every time.
func TestZones(t *testing.T) {
	t.Parallel()
	var z Zones
	tokyo := z.Location("Asia/Tokyo")
	if tokyo.String() != "Asia/Tokyo" {
		t.Fatalf("Location(Asia/Tokyo) = %v", tokyo)
	}
	if again := z.Location("Asia/Tokyo"); again != tokyo {
		t.Errorf("a second Location(Asia/Tokyo) loaded the zone again")
	}
	if got := z.Location("Nowhere/Atlantis"); got != time.UTC {
		t.Errorf("Location(Nowhere/Atlantis) = %v, want UTC", got)
	}
}
