package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verify is the README's receiver snippet, verbatim.
func verify(secret string, r *http.Request, body []byte) bool {
	ts := r.Header.Get("Concierge-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || math.Abs(time.Since(time.Unix(sec, 0)).Seconds()) > 300 {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Split(r.Header.Get("Concierge-Signature"), ",") {
		if hmac.Equal([]byte(strings.TrimSpace(sig)), []byte(want)) {
			return true
		}
	}
	return false
}

func TestReadmeVerifySnippet(t *testing.T) {
	t.Parallel()
	body := []byte(`{"deliveryId":"whd_X","kind":"message.created"}`)
	now := time.Now().Unix()
	req := func(ts int64, sig string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://receiver.example/", nil)
		r.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		r.Header.Set(HeaderSignature, sig)
		return r
	}
	if !verify("whsec_k", req(now, Sign("whsec_k", now, body)), body) {
		t.Error("the README snippet rejects a signed delivery")
	}
	if verify("whsec_other", req(now, Sign("whsec_k", now, body)), body) {
		t.Error("the README snippet accepts another secret")
	}
	if verify("whsec_k", req(now-3600, Sign("whsec_k", now-3600, body)), body) {
		t.Error("the README snippet accepts an hour-old timestamp")
	}
}
