package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/consensus"
	"github.com/spvcheck/spvcheck/ops"
	"github.com/spvcheck/spvcheck/snapshot"
	"github.com/spvcheck/spvcheck/snapshot/api"
	"github.com/spvcheck/spvcheck/snapshot/zonefiles"
	"github.com/spvcheck/spvcheck/testvectors"
)

// apiStore replays the recorded final-rules scenario with the most
// operations through the engine into a Pebble store, and returns a name
// server over it with the names and namespaces it holds.
func apiStore(f *testing.F) (*api.Server, []string, []string) {
	f.Helper()
	ctx := context.Background()
	var best *testvectors.ReplayScenario
	count := func(s *testvectors.ReplayScenario) int {
		n := 0
		for _, b := range s.Blocks {
			n += len(b.Ops)
		}
		return n
	}
	err := testvectors.ReadJSONLFile(testvectors.Path("replay-final", "sample.jsonl"), func(_ int, s *testvectors.ReplayScenario) error {
		if best == nil || count(s) > count(best) {
			best = s
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	p, err := consensus.ParamsFromVectorConfig(best.Version, best.Config)
	if err != nil {
		f.Fatal(err)
	}
	st, err := snapshot.Open(ctx, "api", snapshot.Options{Network: p.Name, ParamsFingerprint: p.Fingerprint(), FS: vfs.NewMem()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	replay := snapshot.EngineReplayer(p)
	for _, b := range best.Blocks {
		in := b.Ops
		opsList := make([]ops.Op, 0, len(in))
		for i := range in {
			op, err := in[i].Op(b.Block)
			if err != nil {
				f.Fatal(err)
			}
			opsList = append(opsList, op)
		}
		if err := replay.ReplayBlock(ctx, st, b.Block, [32]byte{}, opsList); err != nil {
			f.Fatal(err)
		}
	}
	zf, err := zonefiles.Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	srv, err := api.New(api.Config{Store: st, Params: p, Zonefiles: zf, Version: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	v := consensus.NewView(p, st)
	var names []string
	if err := v.EachName(func(r *consensus.NameRecord) (bool, error) {
		names = append(names, r.Name)
		return true, nil
	}); err != nil {
		f.Fatal(err)
	}
	nss, err := v.NamespaceIDs()
	if err != nil {
		f.Fatal(err)
	}
	return srv, names, nss
}

// FuzzAPIRouter drives the name server with arbitrary methods, paths,
// queries, content types and bodies over a real store. No request may
// answer 500 (or any 5xx: the store is healthy) or panic, and every JSON
// answer must be valid JSON; an error status must carry the reference's
// error object ({"error": ...}, or {"status": "available"} for a missing
// name).
func FuzzAPIRouter(f *testing.F) {
	srv, names, nss := apiStore(f)
	paths := []string{"/v1/info", "/v1/names?page=0", "/v1/names?page=1&all=1", "/v1/namespaces",
		"/v1/blockchains/bitcoin/consensus", "/v1/blockchains/bitcoin/name_count?all=true", "/v1/node/ping",
		"/v1/names/x.id/history?page=0", "/v1/zonefiles/0123456789abcdef0123456789abcdef01234567", "//v1/./names/",
		"/v1/addresses/bitcoin/mkESjLZW66TmHhiFX8MCaBjrhZ543PPh9a", "/v2/prices/namespaces/abc", "/%zz", "/v1/names/%00"}
	for _, n := range names {
		paths = append(paths, "/v1/names/"+n, "/v1/names/"+n+"/history", "/v1/names/"+n+"/zonefile?raw=1",
			"/v1/names/"+n+"/proof", "/v1/names/"+n+"/proof?trusted_height=1", "/v2/prices/names/"+n, "/v1/prices/names/"+n)
	}
	for _, ns := range nss {
		paths = append(paths, "/v1/namespaces/"+ns, "/v1/namespaces/"+ns+"/names?page=0", "/v1/prices/namespaces/"+ns)
	}
	for _, p := range paths {
		f.Add("GET", p, "", []byte(nil))
	}
	f.Add("POST", "/v1/zonefile", "application/json", []byte(`{"zonefile": "$ORIGIN a.id\n"}`))
	f.Add("POST", "/v1/zonefile/", "application/json", []byte(`{"zonefile_b64": ["AAAA", "!!"]}`))
	f.Add("POST", "/v1/zonefile", "application/json; charset=utf-8", []byte(`[{"zonefile": 1}]`))
	f.Add("OPTIONS", "/v2/anything", "", []byte(nil))
	f.Add("DELETE", "/v1/names/x.id", "", []byte("x"))
	f.Fuzz(func(t *testing.T, method, target, ctype string, body []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n") {
			method = "GET"
		}
		p, q, _ := strings.Cut(target, "?")
		u := &url.URL{Path: p, RawQuery: q}
		if up, err := url.PathUnescape(p); err == nil {
			u.Path, u.RawPath = up, p
		}
		req := &http.Request{Method: method, URL: u, Host: "fuzz", Header: http.Header{},
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
		req = req.WithContext(context.Background())
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", method, target, rec.Code, rec.Body.Bytes())
		}
		if rec.Header().Get("Content-Type") != "application/json" || rec.Code == http.StatusOK && strings.HasSuffix(p, "/proof") {
			return
		}
		b := rec.Body.Bytes()
		if rec.Code == http.StatusOK && method == http.MethodOptions {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("%s %q: invalid JSON %q", method, target, b)
		}
		if rec.Code >= 400 {
			var e map[string]any
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("%s %q: error answer is not an object: %s", method, target, b)
			}
			if _, ok := e["error"].(string); !ok && e["status"] != "available" {
				t.Fatalf("%s %q: error answer without an error: %s", method, target, b)
			}
		}
	})
}
