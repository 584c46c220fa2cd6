-- 0006: stays and orders written by the admin API and imports. A stay is upserted by its
-- booking reference, unique per property ignoring ASCII case (stays without one, which only
-- older code paths create, are left out of the rule).

CREATE UNIQUE INDEX stays_booking_reference ON stays (property_id, booking_reference COLLATE NOCASE)
    WHERE booking_reference <> '';

CREATE INDEX orders_property_status ON orders (property_id, status, id);
