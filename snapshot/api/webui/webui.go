package webui

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"net/http"
	"strconv"
	"strings"
)

//go:generate go run ./internal/gen

//go:embed assets
var assets embed.FS

// asset maps a page path to its embedded asset and content type.
func asset(path string) (name, contentType string, ok bool) {
	switch path {
	case "/", "/index.html":
		return "index.html", "text/html; charset=utf-8", true
	case "/app.js":
		return "app.js", "text/javascript; charset=utf-8", true
	case "/app.css":
		return "app.css", "text/css; charset=utf-8", true
	case "/snv.js":
		return "snv.js", "text/javascript; charset=utf-8", true
	case "/wasm_exec.js":
		return "wasm_exec.js", "text/javascript; charset=utf-8", true
	case "/snv.wasm":
		return "snv.wasm.gz", "application/wasm", true
	case "/BUILD.json":
		return "BUILD.json", "application/json", true
	}
	return "", "", false
}

// csp allows the page only its own origin: no external scripts, styles,
// fonts or connections; WebAssembly compilation is allowed.
const csp = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the page and its assets; see the package documentation.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	name, contentType, ok := asset(r.URL.Path)
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error": "No such endpoint"}`+"\n")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, `{"error": "GET only"}`+"\n")
		return
	}
	body, err := assets.ReadFile("assets/" + name)
	if err != nil { // the embedded set is fixed at build time: unreachable
		http.Error(w, "asset missing", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	if strings.HasSuffix(name, ".gz") {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
		} else {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil { // unreachable: a test reads the embedded module
				http.Error(w, "asset unreadable", http.StatusNotFound)
				return
			}
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
