// Package web serves Concierge's two web pages from files embedded in the binary: the staff
// console at /console/ (it speaks the staff API, /api/v1) and the guest chat page at /guest/
// (it speaks only the guest V40 API). The pages are plain HTML, CSS and JavaScript modules:
// there is no build step, no CDN and nothing to install.
//
// Caching: every file carries a strong ETag (a hash of its bytes, computed once at start-up)
// and Cache-Control: no-cache, so a browser revalidates each file on every load and gets a
// bodiless 304 while it is unchanged. The files are small and the console is loaded once a
// shift, so a revalidation round trip costs nothing that matters, and a new binary's pages can
// never mix with a previous binary's cached modules (which content-hashed names would need a
// build step, or import rewriting, to guarantee for module imports).
//
// Every answer carries a strict Content-Security-Policy (same-origin scripts, styles,
// connections and images only; no inline code; no framing), X-Content-Type-Options: nosniff
// and Referrer-Policy: no-referrer (the guest page's URL may hold an interface token).
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// ContentSecurityPolicy is the policy sent with every page and file: everything from the
// page's own origin only, no inline scripts or styles, no plugins, no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// contentType is the Content-Type of an embedded file by its extension; "" for a file that
// is not served.
func contentType(ext string) string {
	switch ext {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	}
	return ""
}

// file is one embedded file, ready to serve.
type file struct {
	body        []byte
	etag        string
	contentType string
}

// Handler serves the embedded pages. Mount it for GET (and HEAD) on /console/, /guest/ (and
// /console, /guest, which it redirects to the slash form) and /assets/ (the files both pages
// share: styles, the live-stream client, the icon). Build it with New.
type Handler struct {
	files map[string]file // by URL path, e.g. "/console/app.js", "/assets/sse.js"; "/console/" is its index.html
}

// New reads the embedded files and returns their Handler. It errors only when the embedded
// tree cannot be read, which the package's tests rule out.
func New() (*Handler, error) {
	h := &Handler{files: map[string]file{}}
	root, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct := contentType(path.Ext(p))
		if ct == "" {
			return nil
		}
		body, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := file{body: body, contentType: ct, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		urlPath := "/" + p
		h.files[urlPath] = f
		if path.Base(p) == "index.html" {
			h.files[strings.TrimSuffix(urlPath, "index.html")] = f
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// ServeHTTP answers GET and HEAD requests for the embedded files: 200 with the file, 304 when
// If-None-Match names its ETag, 404 for an unknown path, 405 for other methods. /console and
// /guest redirect (301) to their slash form; /console/index.html to /console/.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if p == "/console" || p == "/guest" {
		redirect(w, r, p+"/")
		return
	}
	if dir, ok := strings.CutSuffix(p, "/index.html"); ok {
		if _, known := h.files[dir+"/"]; known {
			redirect(w, r, dir+"/")
			return
		}
	}
	f, ok := h.files[p]
	if !ok {
		hd.Set("Cache-Control", "no-store")
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	hd.Set("Content-Type", f.contentType)
	hd.Set("ETag", f.etag)
	hd.Set("Cache-Control", "no-cache")
	// ServeContent answers 304 (If-None-Match), ranges and HEAD. No Last-Modified: embedded
	// files have no time, and the ETag says more.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// redirect sends the client to target, keeping the query (the guest page's ?property=…).
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}
