-- 0015: remembered answers keep no secret and name the guest they concern.
--
-- An answer that issued a secret (a guest session token, a staff login token, an API key, an
-- interface token) is remembered without it: secret_kind and secret_ref name the kind of secret
-- and the object it belongs to, so that a replay can answer without the secret ever being
-- stored. stay_id and guest_id name the stay and the non-verified guest an answer concerns, so
-- that erasing their data deletes its remembered answers by owner. Answers remembered before
-- this migration may hold secrets and name no owner: they are forgotten (keys live 48 h).
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys ADD COLUMN secret_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN secret_ref INTEGER NOT NULL DEFAULT 0;
ALTER TABLE idempotency_keys ADD COLUMN stay_id INTEGER;
ALTER TABLE idempotency_keys ADD COLUMN guest_id INTEGER;
CREATE INDEX idempotency_keys_stay ON idempotency_keys (stay_id) WHERE stay_id IS NOT NULL;
CREATE INDEX idempotency_keys_guest ON idempotency_keys (guest_id) WHERE guest_id IS NOT NULL;
