package webui_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spvcheck/spvcheck/snapshot/api/webui"
	"github.com/spvcheck/spvcheck/snapshot/api/webui/internal/wasmbuild"
)

// maxGzippedModule is the budget for the gzipped module.
const maxGzippedModule = 1_200_000

func readAsset(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("assets", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCommittedModule keeps the committed, generated assets honest; see
// the package documentation.
func TestCommittedModule(t *testing.T) {
	var info wasmbuild.Info
	if err := json.Unmarshal(readAsset(t, "BUILD.json"), &info); err != nil {
		t.Fatal(err)
	}
	gz := readAsset(t, "snv.wasm.gz")
	wasm := gunzip(t, gz)
	if len(gz) != info.GzipBytes || len(wasm) != info.WasmBytes || wasmbuild.SHA256(wasm) != info.WasmSHA256 {
		t.Fatalf("assets/snv.wasm.gz (%d bytes, %d unpacked, %s) is not the one BUILD.json records %+v: run go generate ./snapshot/api/webui",
			len(gz), len(wasm), wasmbuild.SHA256(wasm), info)
	}
	if len(gz) > maxGzippedModule {
		t.Errorf("gzipped module %d bytes, over the %d budget", len(gz), maxGzippedModule)
	}
	t.Logf("committed module: %d bytes, %d gzipped, built by %s", len(wasm), len(gz), info.GoVersion)
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Fatal("assets/snv.wasm.gz is not a WebAssembly module")
	}
	snvJS, err := os.ReadFile(filepath.Join("..", "..", "..", "cmd", "snvwasm", "snv.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snvJS, readAsset(t, "snv.js")) {
		t.Error("assets/snv.js differs from cmd/snvwasm/snv.js: run go generate ./snapshot/api/webui")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	v, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	if version := strings.TrimSpace(string(v)); version != info.GoVersion {
		t.Logf("toolchain %s is not %s, which built the committed module: not rebuilding it to compare", version, info.GoVersion)
		return
	}
	fresh, _, err := wasmbuild.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wasmbuild.SHA256(fresh) != info.WasmSHA256 {
		t.Errorf("the module built now (%s) is not the committed one (%s): the verifier changed; run go generate ./snapshot/api/webui",
			wasmbuild.SHA256(fresh), info.WasmSHA256)
	}
	execPath, _, err := wasmbuild.WasmExec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(execPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, readAsset(t, "wasm_exec.js")) {
		t.Errorf("assets/wasm_exec.js is not %s: run go generate ./snapshot/api/webui", execPath)
	}
}

func fetch(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// The transport would add Accept-Encoding and unpack by itself.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestHandler: the page and its assets, with a policy that allows nothing
// from elsewhere, the module gzipped or not, and the API's 404 for the
// rest.
func TestHandler(t *testing.T) {
	srv := httptest.NewServer(webui.Handler())
	defer srv.Close()
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|@import|@font-face|https?://`)
	for _, p := range []string{"/", "/app.js", "/app.css", "/snv.js"} {
		resp, body := fetch(t, "GET", srv.URL+p, nil)
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("GET %s: %d", p, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") ||
			strings.Contains(csp, "http") {
			t.Errorf("GET %s: policy %q", p, csp)
		}
		if m := external.Find(body); m != nil {
			t.Errorf("GET %s refers to something elsewhere: %q", p, m)
		}
	}
	if _, css := fetch(t, "GET", srv.URL+"/app.css", nil); bytes.Contains(css, []byte("url(")) {
		t.Error("app.css loads something")
	}
	_, page := fetch(t, "GET", srv.URL+"/", nil)
	for _, want := range []string{`src="wasm_exec.js"`, `src="app.js"`, `href="app.css"`, "The one thing you trust"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}

	wasm := gunzip(t, readAsset(t, "snv.wasm.gz"))
	resp, body := fetch(t, "GET", srv.URL+"/snv.wasm", map[string]string{"Accept-Encoding": "gzip, br"})
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "application/wasm" ||
		!bytes.Equal(gunzip(t, body), wasm) {
		t.Errorf("gzip: %v %d bytes", resp.Header, len(body))
	}
	resp, body = fetch(t, "GET", srv.URL+"/snv.wasm", nil)
	if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, wasm) {
		t.Errorf("identity: %v %d bytes", resp.Header, len(body))
	}
	resp, body = fetch(t, "HEAD", srv.URL+"/snv.wasm", map[string]string{"Accept-Encoding": "gzip"})
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", resp.StatusCode, len(body))
	}
	for _, p := range []string{"/nope", "/assets/snv.wasm.gz", "/v1/names/x"} {
		resp, body := fetch(t, "GET", srv.URL+p, nil)
		if resp.StatusCode != 404 || !json.Valid(body) || !bytes.Contains(body, []byte("No such endpoint")) {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, body)
		}
	}
	if resp, _ := fetch(t, "POST", srv.URL+"/", nil); resp.StatusCode != 405 {
		t.Errorf("POST /: %d", resp.StatusCode)
	}
}
