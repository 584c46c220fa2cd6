package idempotency

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"concierge/internal/concierge"
)

// issuer echoes the caller's credentials (header and body) and issues a fresh secret per run.
type issuer struct{ runs atomic.Int32 }

func (h *issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.runs.Add(1)
	var body struct{ SessionToken string }
	_ = json.NewDecoder(r.Body).Decode(&body)
	secret := "fresh-secret-" + strings.Repeat("x", int(n))
	IssuedSecret(r.Context(), concierge.SecretGuestSession, 42, secret)
	stay := int64(7)
	if note, _ := r.Context().Value(noteKey{}).(*note); note != nil {
		note.concerns(concierge.Owner{StayID: &stay})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"auth": r.Header.Get("Authorization"), "echo": body.SessionToken, "issued": secret})
}

func TestRememberedAnswersHoldNoSecret(t *testing.T) {
	t.Parallel()
	h := &issuer{}
	var reissued atomic.Int32
	mw, db := setup(t, h, Options{Reissue: func(ctx context.Context, kind string, ref int64) (string, error) {
		reissued.Add(1)
		if kind != concierge.SecretGuestSession || ref != 42 {
			t.Errorf("Reissue(%q, %d)", kind, ref)
		}
		return "fresh-secret-x", nil
	}})
	body := `{"SessionToken":"body-credential-123"}`
	first := send(mw, "k", "Bearer header-credential-456", body)
	rec, inserted, err := db.ReserveIdempotencyKey(context.Background(), concierge.IdempotentRecord{
		Scope: Scope(httpRequest("Bearer header-credential-456"), []byte(body)), Key: "k", RequestHash: []byte{0}})
	if err != nil || inserted {
		t.Fatalf("stored record: %v, inserted %v", err, inserted)
	}
	for _, secret := range []string{"header-credential-456", "body-credential-123", "fresh-secret-x"} {
		if strings.Contains(string(rec.Body), secret) {
			t.Errorf("the remembered answer holds %q: %q", secret, rec.Body)
		}
	}
	if rec.SecretKind != concierge.SecretGuestSession || rec.SecretRef != 42 || rec.StayID == nil || *rec.StayID != 7 || rec.GuestID != nil {
		t.Errorf("record %+v", rec)
	}
	again := send(mw, "k", "Bearer header-credential-456", body)
	if again.Body.String() != first.Body.String() || h.runs.Load() != 1 || reissued.Load() != 1 {
		t.Fatalf("replay %q, first %q (runs %d, reissued %d)", again.Body, first.Body, h.runs.Load(), reissued.Load())
	}
}

func TestReplayOfAnUnreissuableSecret(t *testing.T) {
	t.Parallel()
	h := &issuer{}
	mw, _ := setup(t, h, Options{})
	send(mw, "k", "Bearer header-credential-456", `{}`)
	r := send(mw, "k", "Bearer header-credential-456", `{}`)
	if r.Code != http.StatusConflict || r.Body.String() != "IdempotencyKeyReused" || h.runs.Load() != 1 {
		t.Fatalf("replay without Reissue: %d %q, runs %d", r.Code, r.Body, h.runs.Load())
	}
}

func TestCredentialsRoundTrip(t *testing.T) {
	t.Parallel()
	creds := []string{"short", "a-long-credential", "a-long-credential-and-more"}
	body := []byte(`{"a":"a-long-credential-and-more","b":"a-long-credential","c":"short"}`)
	red := redactCredentials(body, creds)
	if strings.Contains(string(red), "a-long-credential") || !strings.Contains(string(red), "short") {
		t.Fatalf("redacted %q", red)
	}
	if got := restoreCredentials(red, creds); string(got) != string(body) {
		t.Fatalf("restored %q, want %q", got, body)
	}
}

func httpRequest(auth string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "/API/V40/x", nil)
	r.Header.Set("Authorization", auth)
	return r
}
