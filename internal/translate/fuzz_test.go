package translate

import (
	"errors"
	"testing"
)

// checkRoutes checks what every decoder of pairs promises: pairs of two different base
// languages, each with the provider's codes.
func checkRoutes(t *testing.T, routes map[Pair]route) {
	for p, r := range routes {
		if p.From == "" || p.To == "" || p.From == p.To || r.from == "" || r.to == "" {
			t.Fatalf("bad pair %v → %+v", p, r)
		}
		if b, _, ok := baseLanguage(r.from); !ok || b != p.From {
			t.Fatalf("pair %v from code %q", p, r.from)
		}
	}
}

func FuzzParseAPyPairs(f *testing.F) {
	f.Add([]byte(`{"responseData": [{"sourceLanguage": "spa", "targetLanguage": "eng"}, {"sourceLanguage": "spa", "targetLanguage": "eng_US"}, {"sourceLanguage": "eng", "targetLanguage": "spa"}], "responseDetails": null, "responseStatus": 200}`))
	f.Add([]byte(`{"responseData": [{"sourceLanguage": "xx", "targetLanguage": ""}], "responseStatus": 500}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		routes, err := parseAPyPairs(body)
		if err == nil {
			checkRoutes(t, routes)
		}
	})
}

func FuzzParseLTLanguages(f *testing.F) {
	f.Add([]byte(`[{"code":"en","name":"English","targets":["en","es"]},{"code":"zh-Hans","targets":["en"]},{"code":"es"}]`))
	f.Add([]byte(`{"error":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		routes, err := parseLTLanguages(body)
		if err == nil {
			checkRoutes(t, routes)
		}
	})
}

func FuzzParseTranslations(f *testing.F) {
	f.Add(200, []byte(`{"responseData": {"translatedText": "Hello"}, "responseStatus": 200}`))
	f.Add(400, []byte(`{"status": "error", "code": 400, "message": "Bad Request", "explanation": "That pair is not installed"}`))
	f.Add(200, []byte(`{"translatedText": "Hola"}`))
	f.Add(400, []byte(`{"error": "pt is not supported"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		for _, parse := range []func(int, []byte) (string, error){parseAPyTranslation, parseLTTranslation} {
			out, err := parse(status, body)
			if err != nil && out != "" {
				t.Fatalf("error %v with text %q", err, out)
			}
			if err == nil && status != 200 {
				t.Fatalf("HTTP %d taken as a translation", status)
			}
			_ = errors.Is(err, ErrUnsupported)
		}
	})
}

func TestParseAnswers(t *testing.T) {
	t.Parallel()
	routes, err := parseAPyPairs([]byte(`{"responseData": [{"sourceLanguage": "spa", "targetLanguage": "eng_US"}, {"sourceLanguage": "spa", "targetLanguage": "eng"}, {"sourceLanguage": "cat", "targetLanguage": "spa_valencia"}, {"sourceLanguage": "zzz", "targetLanguage": "eng"}], "responseStatus": 200}`))
	if err != nil {
		t.Fatal(err)
	}
	if r := routes[Pair{"es", "en"}]; r != (route{"spa", "eng"}) {
		t.Errorf("es→en route = %+v, want the plain spa|eng over eng_US", r)
	}
	if r := routes[Pair{"ca", "es"}]; r != (route{"cat", "spa_valencia"}) {
		t.Errorf("ca→es route = %+v, want the variant when it is the only one", r)
	}
	if len(routes) != 2 {
		t.Errorf("routes = %v, want 2 (zzz is no language)", routes)
	}
	for _, body := range []string{`{`, `{"responseData": 5}`, `{"responseData": [], "responseStatus": 500}`} {
		if _, err := parseAPyPairs([]byte(body)); err == nil {
			t.Errorf("parseAPyPairs(%s) succeeded", body)
		}
	}
	if _, err := parseAPyTranslation(400, []byte(`{"status": "error", "code": 400, "explanation": "That pair is not installed"}`)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("not installed: %v", err)
	}
	for _, body := range []string{`{}`, `{"responseData": {}}`, `nope`} {
		if _, err := parseAPyTranslation(200, []byte(body)); err == nil {
			t.Errorf("parseAPyTranslation(%s) succeeded", body)
		}
	}
	for _, body := range []string{`{}`, `[]`, `{"translatedText": 3}`} {
		if _, err := parseLTTranslation(200, []byte(body)); err == nil {
			t.Errorf("parseLTTranslation(%s) succeeded", body)
		}
	}
}
