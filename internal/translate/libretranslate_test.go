package translate_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"concierge/internal/translate"
)

// libreServer speaks the documented LibreTranslate API (GET /languages, POST /translate with
// a JSON body; errors as {"error": "…"}): the only fake allowed, as no LibreTranslate server
// can be installed here. It "translates" by a fixed dictionary and records requests.
type libreServer struct {
	*httptest.Server
	apiKey string

	mu       sync.Mutex
	requests []map[string]any
	fail     int // answer the next fail /translate calls with 500
}

var libreDict = map[string]string{"es|en|Hola": "Hello", "en|es|Hello": "Hola", "es|en|Quiero la [[0]]": "I want the [[0]]"}

func newLibreServer(t *testing.T, apiKey string) *libreServer {
	l := &libreServer{apiKey: apiKey}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /languages", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"code":"en","name":"English","targets":["en","es","pt"]},
			{"code":"es","name":"Spanish","targets":["en","es"]},
			{"code":"pt","name":"Portuguese","targets":["en"]},
			{"code":"zh-Hans","name":"Chinese","targets":["en"]}]`)
	})
	mux.HandleFunc("POST /translate", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var req map[string]any
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&req) != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"Invalid request"}`)
			return
		}
		l.mu.Lock()
		l.requests = append(l.requests, req)
		fail := l.fail > 0
		if fail {
			l.fail--
		}
		l.mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":"Cannot translate text: worker busy"}`)
			return
		}
		if l.apiKey != "" && req["api_key"] != l.apiKey {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":"Invalid API key"}`)
			return
		}
		src, _ := req["source"].(string)
		dst, _ := req["target"].(string)
		q, _ := req["q"].(string)
		if src == "pt" && dst == "es" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"pt is not supported"}`)
			return
		}
		out, ok := libreDict[src+"|"+dst+"|"+q]
		if !ok {
			out = "[" + dst + "] " + q
		}
		json.NewEncoder(w).Encode(map[string]string{"translatedText": out})
	})
	l.Server = httptest.NewServer(mux)
	t.Cleanup(l.Close)
	return l
}

func (l *libreServer) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.requests)
}

func (l *libreServer) last() map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.requests) == 0 {
		return nil
	}
	return l.requests[len(l.requests)-1]
}

func TestLibreTranslate(t *testing.T) {
	t.Parallel()
	srv := newLibreServer(t, "secret")
	lt, err := translate.New("libretranslate", translate.Options{URL: srv.URL, APIKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	pairs, err := lt.Pairs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []translate.Pair{{From: "en", To: "es"}, {From: "en", To: "pt"}, {From: "es", To: "en"}, {From: "pt", To: "en"}, {From: "zh", To: "en"}}
	if !slices.Equal(pairs, want) {
		t.Errorf("Pairs = %v, want %v", pairs, want)
	}
	got, err := lt.Translate(ctx, "Hola", "es", "en")
	if err != nil || got != "Hello" {
		t.Fatalf("Translate = %q, %v", got, err)
	}
	req := srv.last()
	for k, v := range map[string]any{"q": "Hola", "source": "es", "target": "en", "format": "text", "api_key": "secret"} {
		if req[k] != v {
			t.Errorf("request %s = %v, want %v", k, req[k], v)
		}
	}
	if got, err := lt.Translate(ctx, "Thanks", "zh", "en"); err != nil || got != "[en] Thanks" {
		t.Errorf("Translate from zh (server code zh-Hans) = %q, %v", got, err)
	}
	if srv.last()["source"] != "zh-Hans" {
		t.Errorf("source sent for zh = %v, want the server's code zh-Hans", srv.last()["source"])
	}

	// A pair the server does not list is unsupported without asking it to translate.
	n := srv.count()
	if _, err := lt.Translate(ctx, "Hola", "es", "de"); !errors.Is(err, translate.ErrUnsupported) {
		t.Errorf("es→de: %v, want ErrUnsupported", err)
	}
	if srv.count() != n {
		t.Error("an unlisted pair was sent to the server")
	}
	// Server errors: a 500 is a provider failure; a wrong key too.
	srv.mu.Lock()
	srv.fail = 1
	srv.mu.Unlock()
	if _, err := lt.Translate(ctx, "Hola", "es", "en"); err == nil || errors.Is(err, translate.ErrUnsupported) ||
		!strings.Contains(err.Error(), "worker busy") {
		t.Errorf("500: %v, want a provider error with the server's message", err)
	}
	bad, _ := translate.New("libretranslate", translate.Options{URL: srv.URL, APIKey: "wrong"})
	if _, err := bad.Translate(ctx, "Hola", "es", "en"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("wrong key: %v, want a 403 error", err)
	}
}

func TestLibreTranslateWithoutTargetsAndDown(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /languages", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"code":"en","name":"English"},{"code":"es","name":"Spanish"},{"code":"fr","name":"French"}]`)
	})
	srv := httptest.NewServer(mux)
	lt, _ := translate.New("libretranslate", translate.Options{URL: srv.URL})
	pairs, err := lt.Pairs(t.Context())
	if err != nil || len(pairs) != 6 {
		t.Errorf("Pairs of a server without targets = %v, %v; want every pair of 3 languages", pairs, err)
	}
	srv.Close()
	if _, err := lt.Pairs(t.Context()); err == nil {
		t.Error("Pairs of a stopped server succeeded")
	}
	lt2, _ := translate.New("libretranslate", translate.Options{URL: srv.URL})
	if _, err := lt2.Translate(t.Context(), "Hola", "es", "en"); err == nil || errors.Is(err, translate.ErrUnsupported) {
		t.Errorf("Translate with the server down: %v, want a provider error", err)
	}
}
