package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// LibreTranslate is a client of a server speaking the LibreTranslate HTTP API (GET
// /languages, POST /translate with JSON).
type LibreTranslate struct {
	base   *url.URL
	apiKey string
	client *http.Client
	pairs  *pairCache
}

// NewLibreTranslate returns a client of the LibreTranslate server at opts.URL (with
// opts.APIKey when it wants one); it errors when the URL is missing or not http(s).
func NewLibreTranslate(opts Options) (*LibreTranslate, error) {
	base, err := baseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	l := &LibreTranslate{base: base, apiKey: opts.APIKey, client: opts.httpClient()}
	l.pairs = &pairCache{opts: opts, fetch: l.fetchPairs}
	return l, nil
}

// Pairs asks the server for its languages and the targets of each.
func (l *LibreTranslate) Pairs(ctx context.Context) ([]Pair, error) { return l.pairs.list(ctx) }

func (l *LibreTranslate) fetchPairs(ctx context.Context) (map[Pair]route, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint(l.base, "/languages"), nil)
	if err != nil {
		return nil, err
	}
	body, status, err := do(l.client, req)
	if err != nil {
		return nil, fmt.Errorf("libretranslate: languages: %w", err)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("libretranslate: languages: HTTP %d: %s", status, ltError(body))
	}
	return parseLTLanguages(body)
}

// parseLTLanguages decodes GET /languages: [{"code": "en", "name": "English", "targets":
// ["es", …]}, …]. A server without targets (older versions) translates between every two of
// its languages.
func parseLTLanguages(body []byte) (map[Pair]route, error) {
	var langs []struct {
		Code    string    `json:"code"`
		Targets *[]string `json:"targets"`
	}
	if err := json.Unmarshal(body, &langs); err != nil {
		return nil, fmt.Errorf("libretranslate: languages: malformed answer: %w", err)
	}
	routes, plain := map[Pair]route{}, map[Pair]bool{}
	for _, src := range langs {
		if src.Targets == nil {
			for _, dst := range langs {
				addRoute(routes, plain, src.Code, dst.Code)
			}
			continue
		}
		for _, dst := range *src.Targets {
			addRoute(routes, plain, src.Code, dst)
		}
	}
	return routes, nil
}

// Translate translates text with the server, as plain text.
func (l *LibreTranslate) Translate(ctx context.Context, text, from, to string) (string, error) {
	r, ok, err := l.pairs.lookup(ctx, Pair{From: from, To: to})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w: libretranslate has no %s→%s pair", ErrUnsupported, from, to)
	}
	reqBody := map[string]string{"q": text, "source": r.from, "target": r.to, "format": "text"}
	if l.apiKey != "" {
		reqBody["api_key"] = l.apiKey
	}
	buf, err := json.Marshal(reqBody)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint(l.base, "/translate"), bytes.NewReader(buf))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	body, status, err := do(l.client, req)
	if err != nil {
		return "", fmt.Errorf("libretranslate: translate: %w", err)
	}
	return parseLTTranslation(status, body)
}

// parseLTTranslation decodes POST /translate: {"translatedText": "…"} on 200, {"error": "…"}
// otherwise. A 400 about a language the server does not support is ErrUnsupported.
func parseLTTranslation(status int, body []byte) (string, error) {
	if status != http.StatusOK {
		msg := ltError(body)
		if status == http.StatusBadRequest && strings.Contains(strings.ToLower(msg), "not supported") {
			return "", fmt.Errorf("%w: libretranslate: %s", ErrUnsupported, msg)
		}
		return "", fmt.Errorf("libretranslate: translate: HTTP %d: %s", status, msg)
	}
	var v struct {
		TranslatedText *string `json:"translatedText"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.TranslatedText == nil {
		return "", fmt.Errorf("libretranslate: translate: malformed answer")
	}
	return *v.TranslatedText, nil
}

// ltError returns the "error" of a LibreTranslate error answer, or a short part of the body.
func ltError(body []byte) string {
	var v struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &v) == nil && v.Error != "" {
		return v.Error
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
