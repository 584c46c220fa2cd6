package translate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxResponse is the largest provider answer read.
const maxResponse = 4 << 20

// Apertium is a client of an Apertium APy server (GET /listPairs, POST /translate). APy names
// languages by ISO 639-3 codes (eng, spa), sometimes with a variant (eng_US); they are mapped
// to BCP 47 base languages and back.
type Apertium struct {
	base   *url.URL
	client *http.Client
	pairs  *pairCache
}

// NewApertium returns a client of the APy server at opts.URL; it errors when the URL is
// missing or not an http(s) URL.
func NewApertium(opts Options) (*Apertium, error) {
	base, err := baseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	a := &Apertium{base: base, client: opts.httpClient()}
	a.pairs = &pairCache{opts: opts, fetch: a.fetchPairs}
	return a, nil
}

// baseURL parses a provider's base URL.
func baseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("translate: --translator-url %q must be an http(s) URL", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// endpoint returns the URL of path under the base URL.
func endpoint(base *url.URL, path string) string {
	u := *base
	u.Path += path
	u.RawQuery = ""
	return u.String()
}

// Pairs asks the server for its pairs.
func (a *Apertium) Pairs(ctx context.Context) ([]Pair, error) { return a.pairs.list(ctx) }

func (a *Apertium) fetchPairs(ctx context.Context) (map[Pair]route, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint(a.base, "/listPairs"), nil)
	if err != nil {
		return nil, err
	}
	body, status, err := do(a.client, req)
	if err != nil {
		return nil, fmt.Errorf("apertium: listPairs: %w", err)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("apertium: listPairs: HTTP %d", status)
	}
	return parseAPyPairs(body)
}

// parseAPyPairs decodes APy's /listPairs answer:
// {"responseData": [{"sourceLanguage": "eng", "targetLanguage": "spa"}, …], "responseStatus": 200}.
func parseAPyPairs(body []byte) (map[Pair]route, error) {
	var v struct {
		ResponseData []struct {
			Source string `json:"sourceLanguage"`
			Target string `json:"targetLanguage"`
		} `json:"responseData"`
		ResponseStatus int `json:"responseStatus"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("apertium: listPairs: malformed answer: %w", err)
	}
	if v.ResponseStatus != 0 && v.ResponseStatus != http.StatusOK {
		return nil, fmt.Errorf("apertium: listPairs: responseStatus %d", v.ResponseStatus)
	}
	routes, plain := map[Pair]route{}, map[Pair]bool{}
	for _, p := range v.ResponseData {
		addRoute(routes, plain, p.Source, p.Target)
	}
	return routes, nil
}

// Translate translates text with the server's from→to pair. Unknown words are left as they
// are, without APy's "*" marks.
func (a *Apertium) Translate(ctx context.Context, text, from, to string) (string, error) {
	r, ok, err := a.pairs.lookup(ctx, Pair{From: from, To: to})
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w: apertium has no %s→%s pair", ErrUnsupported, from, to)
	}
	form := url.Values{"langpair": {r.from + "|" + r.to}, "q": {text}, "markUnknown": {"no"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint(a.base, "/translate"), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	body, status, err := do(a.client, req)
	if err != nil {
		return "", fmt.Errorf("apertium: translate: %w", err)
	}
	out, err := parseAPyTranslation(status, body)
	if errors.Is(err, ErrUnsupported) {
		a.pairs.forget() // the server changed since its pairs were read
	}
	return out, err
}

// parseAPyTranslation decodes APy's /translate answer: {"responseData": {"translatedText":
// "…"}, "responseStatus": 200}, or an error {"status": "error", "code": 400, "explanation":
// "That pair is not installed"}.
func parseAPyTranslation(status int, body []byte) (string, error) {
	var v struct {
		ResponseData *struct {
			TranslatedText *string `json:"translatedText"`
		} `json:"responseData"`
		ResponseStatus int    `json:"responseStatus"`
		Explanation    string `json:"explanation"`
		Message        string `json:"message"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("apertium: translate: HTTP %d, malformed answer: %w", status, err)
	}
	if status == http.StatusOK && (v.ResponseStatus == 0 || v.ResponseStatus == http.StatusOK) &&
		v.ResponseData != nil && v.ResponseData.TranslatedText != nil {
		return *v.ResponseData.TranslatedText, nil
	}
	if strings.Contains(strings.ToLower(v.Explanation), "not installed") {
		return "", fmt.Errorf("%w: apertium: %s", ErrUnsupported, v.Explanation)
	}
	return "", fmt.Errorf("apertium: translate: HTTP %d: %s", status, strings.TrimSpace(v.Message+" "+v.Explanation))
}

// do sends req and reads at most maxResponse bytes of the answer.
func do(c *http.Client, req *http.Request) ([]byte, int, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, resp.StatusCode, err
	}
	if len(body) > maxResponse {
		return nil, resp.StatusCode, fmt.Errorf("answer larger than %d bytes", maxResponse)
	}
	return body, resp.StatusCode, nil
}
