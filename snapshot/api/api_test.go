package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/spvcheck/spvcheck/consensus/snv"
)

type apiCase struct {
	name   string
	method string // default GET
	path   string
	body   string
	hdr    []string
	status int
	want   string // exact body, when set
	// wantJSON, when set, is compared with the decoded body.
	wantJSON any
	ctype    string // expected Content-Type (default application/json)
}

func runCases(t *testing.T, h http.Handler, f *fixture, cases []apiCase) {
	t.Helper()
	tip := strconv.FormatUint(f.w.tip(), 10)
	ch := f.w.ch()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.method
			if m == "" {
				m = http.MethodGet
			}
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			a := do(t, h, m, c.path, body, c.hdr...)
			require.Equal(t, c.status, a.status, "body %s", a.body)
			require.Equal(t, "*", a.header.Get("Access-Control-Allow-Origin"))
			ct := c.ctype
			if ct == "" {
				ct = "application/json"
			}
			require.Equal(t, ct, a.header.Get("Content-Type"))
			if c.want != "" {
				require.Equal(t, c.want, string(a.body))
			}
			if c.wantJSON != nil {
				var got any
				require.NoError(t, json.Unmarshal(a.body, &got), "%s", a.body)
				want, err := json.Marshal(c.wantJSON)
				require.NoError(t, err)
				var w any
				require.NoError(t, json.Unmarshal(want, &w))
				require.Equal(t, w, got)
			}
			if ct == "application/json" {
				require.True(t, json.Valid(a.body), "%s", a.body)
			}
			if a.status == http.StatusOK || a.header.Get(HeaderHeight) != "" {
				require.Equal(t, tip, a.header.Get(HeaderHeight))
				require.Equal(t, ch, a.header.Get(HeaderConsensusHash))
			}
		})
	}
}

func TestNameEndpoints(t *testing.T) {
	f := newFixture(t)
	a, c, d := f.alice.addr, f.carol.addr, f.dave.addr
	judecn := func(zf string) string {
		return fmt.Sprintf(`{"status": "registered", "zonefile": %s, "zonefile_hash": "%s", "address": "%s", "last_txid": "%s", "blockchain": "bitcoin", "expire_block": 2329, "renewal_deadline": 7329, "grace_period": false, "resolver": null, "did": "did:stack:v0:%s-0"}`,
			zf, judecnHash, a, f.updTx, a)
	}
	runCases(t, f.srv, f, []apiCase{
		{name: "registered", path: "/v1/names/judecn.id", status: 200, want: judecn("null")},
		{name: "trailing slash", path: "/v1/names/judecn.id/", status: 200, want: judecn("null")},
		{name: "dot segments", path: "/v1//names/./x/../judecn.id", status: 200, want: judecn("null")},
		{name: "revoked", path: "/v1/names/gone.id", status: 200,
			want: fmt.Sprintf(`{"status": "revoked", "zonefile": null, "zonefile_hash": null, "address": "%s", "last_txid": "%s", "blockchain": "bitcoin", "expire_block": 2329, "renewal_deadline": 7329, "grace_period": false, "resolver": null, "did": "did:stack:v0:%s-1"}`, a, f.revokeTx, a)},
		{name: "transferred keeps creator DID", path: "/v1/names/carol.id", status: 200,
			want: fmt.Sprintf(`{"status": "registered", "zonefile": null, "zonefile_hash": null, "address": "%s", "last_txid": "%s", "blockchain": "bitcoin", "expire_block": 2329, "renewal_deadline": 7329, "grace_period": false, "resolver": null, "did": "did:stack:v0:%s-0"}`, d, f.xferTx, c)},
		{name: "grace period", path: "/v1/names/short.test", status: 200,
			wantJSON: map[string]any{"status": "registered", "zonefile": nil, "zonefile_hash": nil, "address": d,
				"last_txid": f.shortTx, "blockchain": "bitcoin", "expire_block": 339, "renewal_deadline": 5339,
				"grace_period": true, "resolver": nil, "did": "did:stack:v0:" + d + "-0"}},
		{name: "available", path: "/v1/names/nobody.id", status: 404, want: `{"status": "available"}`},
		{name: "no namespace", path: "/v1/names/x.nons", status: 404, want: `{"status": "available"}`},
		{name: "invalid name", path: "/v1/names/Judecn.id", status: 400, want: `{"error": "Invalid name or subdomain"}`},
		{name: "invalid name two dots", path: "/v1/names/a.b.id", status: 400, want: `{"error": "Invalid name or subdomain"}`},
		{name: "bad route chars", path: "/v1/names/a%20b.id", status: 404, want: `{"error": "No such endpoint"}`},
		{name: "unknown route", path: "/v1/nothing", status: 404, want: `{"error": "No such endpoint"}`},
		{name: "wrong method", method: "DELETE", path: "/v1/names/judecn.id", status: 404, want: `{"error": "No such endpoint"}`},
		{name: "duplicate query", path: "/v1/names?page=1&page=2", status: 400, want: `{"error": "Failed to parse query string"}`},

		{name: "names page 0", path: "/v1/names?page=0", status: 200,
			want: `["bob.id", "carol.id", "gone.id", "judecn.id", "short.test"]`},
		{name: "names page 1", path: "/v1/names?page=1", status: 200, want: `[]`},
		{name: "names page missing", path: "/v1/names", status: 400, want: `{"error": "page= argument required"}`},
		{name: "names page blank", path: "/v1/names?page=", status: 400, want: `{"error": "page= argument required"}`},
		{name: "names page negative", path: "/v1/names?page=-1", status: 400, want: `{"error": "Invalid page= value"}`},
		{name: "names page junk", path: "/v1/names?page=x", status: 400, want: `{"error": "Invalid page= value"}`},
		{name: "name count", path: "/v1/blockchains/bitcoin/name_count", status: 200, want: `{"names_count": 5}`},
		{name: "name count other chain", path: "/v1/blockchains/ethereum/name_count", status: 404, want: `{"error": "Unsupported blockchain"}`},
		{name: "consensus", path: "/v1/blockchains/bitcoin/consensus", status: 200, want: `{"consensus_hash": "` + f.w.ch() + `"}`},
		{name: "consensus other chain", path: "/v1/blockchains/x/consensus", status: 404, want: `{"error": "Unsupported blockchain"}`},

		{name: "owner", path: "/v1/addresses/bitcoin/" + a, status: 200, want: `{"names": ["judecn.id"]}`},
		{name: "owner two", path: "/v1/addresses/bitcoin/" + d, status: 200, want: `{"names": ["carol.id", "short.test"]}`},
		{name: "owner none", path: "/v1/addresses/bitcoin/" + f.bob.addr + "/", status: 200, want: `{"names": ["bob.id"]}`},
		{name: "owner mainnet form", path: "/v1/addresses/bitcoin/" + mainnetForm(t, a), status: 200, want: `{"names": ["judecn.id"]}`},
		{name: "owner invalid", path: "/v1/addresses/bitcoin/0OIl", status: 400, want: `{"error": "Invalid address"}`},
		{name: "owner other chain", path: "/v1/addresses/ethereum/" + a, status: 404, want: `{"error": "Unsupported blockchain"}`},

		{name: "history missing page", path: "/v1/names/judecn.id/history?page=9999999999", status: 400, want: `{"error": "Invalid page"}`},
		{name: "history bad page", path: "/v1/names/judecn.id/history?page=-1", status: 400, want: `{"error": "Invalid page"}`},
		{name: "history no name", path: "/v1/names/nobody.id/history", status: 404, want: `{"error": "Not found"}`},
		{name: "history past end", path: "/v1/names/judecn.id/history?page=1", status: 404, want: `{"error": "Not found"}`},
		{name: "history invalid", path: "/v1/names/x/history", status: 400, want: `{"error": "Invalid name or subdomain"}`},
	})
}

func mainnetForm(t *testing.T, addr string) string {
	return reencodeVersion(t, addr, 0x00)
}

func TestNameHistory(t *testing.T) {
	f := newFixture(t)
	a := do(t, f.srv, "GET", "/v1/names/judecn.id/history", nil)
	require.Equal(t, 200, a.status)
	// Keys newest first, as rendered.
	require.True(t, strings.HasPrefix(string(a.body), `{"330": [{"name": "judecn.id", "value_hash": "`+judecnHash+`"`), "%s", a.body)
	var got map[string][]map[string]any
	require.NoError(t, json.Unmarshal(a.body, &got))
	require.Len(t, got, 3)
	require.Equal(t, "NAME_UPDATE", got["330"][0]["opcode"])
	require.Equal(t, f.updTx, got["330"][0]["txid"])
	require.Equal(t, "NAME_REGISTRATION", got["329"][0]["opcode"])
	require.Equal(t, f.regTx, got["329"][0]["txid"])
	require.Equal(t, nil, got["329"][0]["value_hash"])
	require.Equal(t, f.alice.addr, got["329"][0]["address"])
	require.Equal(t, float64(329), got["329"][0]["first_registered"])
	require.Equal(t, "NAME_PREORDER", got["328"][0]["opcode"])
	require.Equal(t, f.preTx, got["328"][0]["txid"])
	require.Equal(t, f.alice.script, got["328"][0]["sender"])
	// The same with page=0.
	b := do(t, f.srv, "GET", "/v1/names/judecn.id/history?page=0", nil)
	require.Equal(t, a.body, b.body)
}

func TestNamespaceEndpoints(t *testing.T) {
	f := newFixture(t)
	runCases(t, f.srv, f, []apiCase{
		{name: "list", path: "/v1/namespaces", status: 200, want: `["id", "test"]`},
		{name: "list slash", path: "/v1/namespaces/", status: 200, want: `["id", "test"]`},
		{name: "record", path: "/v1/namespaces/id", status: 200, wantJSON: map[string]any{
			"namespace_id": "id", "preorder_hash": preorderHash(t, "id", f.alice, f.bob), "version": 1,
			// NAMESPACE_READY records its own sender (the revealer) and keeps
			// the reveal's sender_pubkey (the engine's replay of the reference).
			"sender": f.bob.script, "sender_pubkey": *f.alice.pub, "address": f.alice.addr, "recipient": f.bob.script,
			"recipient_address": f.bob.addr, "block_number": 322, "reveal_block": 323, "op": "!", "op_fee": 1 << 50,
			"txid": nsTxid(t, f, "id"), "vtxindex": 1, "lifetime": 1000, "coeff": 1, "base": 2,
			"buckets": []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, "nonalpha_discount": 1,
			"no_vowel_discount": 1, "ready_block": 324, "token_fee": "0", "opcode": "NAMESPACE_READY", "ready": true}},
		{name: "record missing", path: "/v1/namespaces/nope", status: 404, want: `{"error": "No such namespace"}`},
		{name: "record invalid", path: "/v1/namespaces/No.pe", status: 400, want: `{"error": "Invalid namespace"}`},
		{name: "names", path: "/v1/namespaces/id/names?page=0", status: 200, want: `["bob.id", "carol.id", "gone.id", "judecn.id"]`},
		{name: "names test", path: "/v1/namespaces/test/names?page=0", status: 200, want: `["short.test"]`},
		{name: "names empty page", path: "/v1/namespaces/id/names?page=3", status: 200, want: `[]`},
		{name: "names missing ns", path: "/v1/namespaces/nope/names?page=0", status: 200, want: `[]`},
		{name: "names no page", path: "/v1/namespaces/id/names", status: 400, want: `{"error": "page= argument required"}`},
		{name: "names bad page", path: "/v1/namespaces/id/names?page=a", status: 400, want: `{"error": "Invalid page= value"}`},
		{name: "names invalid ns", path: "/v1/namespaces/ID/names?page=0", status: 400, want: `{"error": "Invalid namespace"}`},
		{name: "ns name count", path: "/v1/namespaces/id/name_count", status: 200, want: `{"names_count": 4}`},
	})
}

// nsTxid finds the txid of a namespace's ready operation from its record
// in the store's history of the fixture (block 324 for "id").
func nsTxid(t *testing.T, f *fixture, id string) string {
	v, err := f.w.st.ReadView()
	require.NoError(t, err)
	defer v.Close()
	ns, err := consensusView(f, v).Namespace(id)
	require.NoError(t, err)
	return ns.Txid
}

func TestPriceEndpoints(t *testing.T) {
	f := newFixture(t)
	// Tip 340: the next block, 341, is in epoch 3 (BTC namespace prices
	// divided by 10; name prices as floats times 0.1).
	runCases(t, f.srv, f, []apiCase{
		{name: "name v2", path: "/v2/prices/names/abc.id", status: 200, want: `{"name_price": {"amount": "20", "units": "BTC", "satoshis": 20}}`},
		{name: "name v1", path: "/v1/prices/names/abc.id", status: 200, want: `{"name_price": {"satoshis": 20}}`},
		{name: "name unknown ns", path: "/v2/prices/names/abc.nope", status: 404, want: `{"error": "Unknown/invalid namespace"}`},
		{name: "name invalid", path: "/v2/prices/names/abc", status: 400, want: `{"error": "Invalid name"}`},
		{name: "namespace v2", path: "/v2/prices/namespaces/abcd", status: 200, want: `{"amount": "40000000", "units": "BTC", "satoshis": 40000000}`},
		{name: "namespace v1", path: "/v1/prices/namespaces/abcd", status: 200, want: `{"satoshis": 40000000}`},
		{name: "namespace 1 char", path: "/v2/prices/namespaces/a", status: 200, want: `{"amount": "4000000000", "units": "BTC", "satoshis": 4000000000}`},
		{name: "namespace invalid", path: "/v2/prices/namespaces/a.b", status: 400, want: `{"error": "Invalid namespace"}`},
		{name: "namespace too long", path: "/v2/prices/namespaces/abcdefghijklmnopqrstu", status: 400, want: `{"error": "Invalid namespace"}`},
	})
	// Into epoch 4 (from 361): namespaces are priced in STACKS, names of
	// version-1 namespaces in integer satoshis divided by 10.
	f.w.skipTo(361)
	runCases(t, f.srv, f, []apiCase{
		{name: "namespace v2 stacks", path: "/v2/prices/namespaces/abcd", status: 200, want: `{"amount": "6400000000", "units": "STACKS"}`},
		{name: "namespace v1 stacks", path: "/v1/prices/namespaces/abcd", status: 400, want: `{"error": "Not priced in BTC.  Try /v2/prices/namespace/abcd"}`},
		{name: "name v2 epoch 4", path: "/v2/prices/names/abc.id", status: 200, want: `{"name_price": {"amount": "20", "units": "BTC", "satoshis": 20}}`},
	})
}

func TestInfoAndPing(t *testing.T) {
	f := newFixture(t)
	runCases(t, f.srv, f, []apiCase{
		{name: "info", path: "/v1/info", status: 200, want: `{"last_block_seen": 340, "consensus": "` + f.w.ch() +
			`", "server_version": "test-1", "last_block_processed": 340, "server_alive": true, "indexing": false, "testnet": true, "first_block": 256, "zonefile_count": 0}`},
		{name: "ping", path: "/v1/node/ping", status: 200, want: `{"status": "alive", "version": "test-1"}`},
	})
	seen := uint64(400)
	srv, err := New(Config{Store: f.w.st, Params: f.w.p, Version: "v", LastBlockSeen: func() uint64 { return seen }, Indexing: func() bool { return true }})
	require.NoError(t, err)
	a := do(t, srv, "GET", "/v1/info", nil)
	require.Equal(t, `{"last_block_seen": 400, "consensus": "`+f.w.ch()+`", "server_version": "v", "last_block_processed": 340, "server_alive": true, "indexing": true, "testnet": true, "first_block": 256, "stale": true, "warning": "Daemon is behind the chain tip.  Do not rely on it for fresh information."}`, string(a.body))
}

func TestOptionsAndFallback(t *testing.T) {
	f := newFixture(t)
	a := do(t, f.srv, "OPTIONS", "/v1/names/judecn.id", nil)
	require.Equal(t, 200, a.status)
	require.Equal(t, "*", a.header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "GET, PUT, POST, DELETE", a.header.Get("Access-Control-Allow-Methods"))
	// Without a fallback, / is the API's 404; with one, the page.
	a = do(t, f.srv, "GET", "/", nil)
	require.Equal(t, 404, a.status)
	require.Equal(t, `{"error": "No such endpoint"}`, string(a.body))
	srv, err := New(Config{Store: f.w.st, Params: f.w.p, Fallback: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("page " + r.URL.Path))
	})})
	require.NoError(t, err)
	a = do(t, srv, "GET", "/index.html", nil)
	require.Equal(t, "page /index.html", string(a.body))
	a = do(t, srv, "GET", "/v1/nothing", nil)
	require.Equal(t, 404, a.status)
	a = do(t, srv, "POST", "/", nil)
	require.Equal(t, 404, a.status)
}

func TestProofEndpoint(t *testing.T) {
	f := newFixture(t)
	tip := f.w.tip()
	for _, c := range []struct {
		name    string
		trusted string
		height  uint64 // trusted height used
		target  uint64 // block proven
	}{
		{"default trusted height", "", tip, 330},
		{"explicit", "?trusted_height=335", 335, 330},
		{"before the update", "?trusted_height=329", 329, 329},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := do(t, f.srv, "GET", "/v1/names/judecn.id/proof"+c.trusted, nil)
			require.Equal(t, 200, a.status, "%s", a.body)
			require.Equal(t, "application/json", a.header.Get("Content-Type"))
			// The same bytes 'spvcheck prove' writes.
			v, err := f.w.st.ReadView()
			require.NoError(t, err)
			want, err := snvProve(t, f, v, "judecn.id", c.height)
			v.Close()
			require.NoError(t, err)
			require.Equal(t, string(want), string(a.body))
			proof, _, err := snv.Decode(a.body)
			require.NoError(t, err)
			th, err := f.w.st.ConsensusHash(c.height)
			require.NoError(t, err)
			res, err := snv.Verify(proof, c.height, th)
			require.NoError(t, err)
			require.Equal(t, c.target, res.Height)
			require.NotEmpty(t, res.Selected)
			// Tampering with the trusted hash fails verification.
			bad := []byte(th)
			bad[0] ^= 1
			if bad[0] == th[0] {
				bad[0] = 'f'
			}
			_, err = snv.Verify(proof, c.height, strings.Repeat("0", 32))
			require.Error(t, err)
		})
	}
	runCases(t, f.srv, f, []apiCase{
		{name: "too high", path: "/v1/names/judecn.id/proof?trusted_height=341", status: 400, want: `{"error": "trusted_height 341 is above the verified tip 340"}`},
		{name: "junk", path: "/v1/names/judecn.id/proof?trusted_height=abc", status: 400, want: `{"error": "Invalid trusted_height"}`},
		{name: "below first", path: "/v1/names/judecn.id/proof?trusted_height=3", status: 400, want: `{"error": "trusted_height 3 is below the first block 256"}`},
		{name: "no name", path: "/v1/names/nobody.id/proof", status: 404, want: `{"error": "No such name"}`},
		{name: "not yet", path: "/v1/names/judecn.id/proof?trusted_height=300", status: 404, want: `{"error": "No such name"}`},
		{name: "invalid", path: "/v1/names/BAD/proof", status: 400, want: `{"error": "Invalid name or subdomain"}`},
	})
}

func TestZonefiles(t *testing.T) {
	f := newFixture(t)
	zf := string(f.judecnZF)
	post := func(body string) answer {
		return do(t, f.srv, "POST", "/v1/zonefile", []byte(body), "Content-Type", "application/json")
	}
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	// Nothing stored yet.
	runCases(t, f.srv, f, []apiCase{
		{name: "name zonefile none", path: "/v1/names/judecn.id/zonefile", status: 404, want: `{"error": "No zone file for name"}`},
		{name: "raw none", path: "/v1/zonefiles/" + judecnHash, status: 404, want: `{"error": "Blockstack node does not have this zonefile.  Try again later."}`},
	})
	// An unannounced zone file is refused and not stored.
	other := realZonefile(t, unannounced)
	a := post(mustJSON(map[string]string{"zonefile": string(other)}))
	require.Equal(t, 400, a.status)
	require.Equal(t, `{"error": "Blockstack node did not save the zone file", "saved": [0]}`, string(a.body))
	hs, err := f.zf.Hashes()
	require.NoError(t, err)
	require.Empty(t, hs)
	// The announced one is stored.
	a = post(mustJSON(map[string]string{"zonefile": zf}))
	require.Equal(t, 200, a.status, "%s", a.body)
	require.Equal(t, `{"status": true, "servers": ["http://127.0.0.1:6270"], "saved": [1]}`, string(a.body))
	// Base64, several at once: bob.id's (announced) and an unknown one.
	a = post(mustJSON(map[string][]string{"zonefile_b64": {
		base64.StdEncoding.EncodeToString(realZonefile(t, zeroIDHash)), base64.StdEncoding.EncodeToString(other)}}))
	require.Equal(t, 200, a.status, "%s", a.body)
	require.Equal(t, `{"status": true, "servers": ["http://127.0.0.1:6270"], "saved": [1, 0]}`, string(a.body))
	hs, err = f.zf.Hashes()
	require.NoError(t, err)
	require.Equal(t, []string{judecnHash, zeroIDHash}, hs)

	zfJSON := mustPy(t, map[string]string{"zonefile": zf})
	a0 := f.alice.addr
	runCases(t, f.srv, f, []apiCase{
		{name: "name record has zonefile", path: "/v1/names/judecn.id", status: 200,
			want: fmt.Sprintf(`{"status": "registered", "zonefile": %s, "zonefile_hash": "%s", "address": "%s", "last_txid": "%s", "blockchain": "bitcoin", "expire_block": 2329, "renewal_deadline": 7329, "grace_period": false, "resolver": null, "did": "did:stack:v0:%s-0"}`,
				mustPy(t, zf), judecnHash, a0, f.updTx, a0)},
		{name: "name zonefile", path: "/v1/names/judecn.id/zonefile", status: 200, want: zfJSON},
		{name: "name zonefile raw", path: "/v1/names/judecn.id/zonefile?raw=1", status: 200, want: zf, ctype: "application/octet-stream"},
		{name: "name zonefile by hash", path: "/v1/names/judecn.id/zonefile/" + judecnHash, status: 200, want: zfJSON},
		{name: "by hash raw", path: "/v1/names/judecn.id/zonefile/" + judecnHash + "?raw=true", status: 200, want: zf, ctype: "application/octet-stream"},
		{name: "by hash not this name's", path: "/v1/names/bob.id/zonefile/" + judecnHash, status: 404, want: `{"error": "No such zonefile"}`},
		{name: "by hash bad hash", path: "/v1/names/judecn.id/zonefile/xyz", status: 404, want: `{"error": "No such endpoint"}`},
		{name: "raw by hash", path: "/v1/zonefiles/" + judecnHash, status: 200, want: zf, ctype: "application/octet-stream"},
		{name: "raw by upper hash", path: "/v1/zonefiles/" + strings.ToUpper(judecnHash), status: 200, want: zf, ctype: "application/octet-stream"},
		{name: "no zonefile for name", path: "/v1/names/carol.id/zonefile", status: 404, want: `{"error": "No zone file for name"}`},
		{name: "zonefile no name", path: "/v1/names/nobody.id/zonefile", status: 404, want: `{"error": "Not found."}`},
		{name: "info count", path: "/v1/info", status: 200, wantJSON: map[string]any{"last_block_seen": 340, "consensus": f.w.ch(),
			"server_version": "test-1", "last_block_processed": 340, "server_alive": true, "indexing": false, "testnet": true,
			"first_block": 256, "zonefile_count": 2}},

		{name: "post wrong type", method: "POST", path: "/v1/zonefile", body: `{"zonefile": "x"}`, hdr: []string{"Content-Type", "text/plain"}, status: 400, want: `{"error": "Invalid request"}`},
		{name: "post junk", method: "POST", path: "/v1/zonefile/", body: `{`, hdr: []string{"Content-Type", "application/json"}, status: 400, want: `{"error": "Invalid request"}`},
		{name: "post array", method: "POST", path: "/v1/zonefile", body: `[1]`, hdr: []string{"Content-Type", "application/json"}, status: 400, want: `{"error": "Invalid request"}`},
		{name: "post nothing", method: "POST", path: "/v1/zonefile", body: `{}`, hdr: []string{"Content-Type", "application/json"}, status: 400, want: `{"error": "Invalid request"}`},
		{name: "post number", method: "POST", path: "/v1/zonefile", body: `{"zonefile": 5}`, hdr: []string{"Content-Type", "application/json"}, status: 400, want: `{"error": "Invalid request"}`},
		{name: "post bad b64", method: "POST", path: "/v1/zonefile", body: `{"zonefile_b64": "!!"}`, hdr: []string{"Content-Type", "application/json"}, status: 400, want: `{"error": "Invalid request"}`},
		{name: "post too large", method: "POST", path: "/v1/zonefile", body: mustJSON(map[string]string{"zonefile": strings.Repeat("x", 40961)}), hdr: []string{"Content-Type", "application/json"}, status: 400, want: `{"error": "Invalid request"}`},
		{name: "post six", method: "POST", path: "/v1/zonefile", body: mustJSON(map[string][]string{"zonefile": {"a", "b", "c", "d", "e", "f"}}), hdr: []string{"Content-Type", "application/json"}, status: 400, want: `{"error": "Too many zonefiles"}`},
		{name: "post huge body", method: "POST", path: "/v1/zonefile", body: `{"zonefile": "` + strings.Repeat("x", 2<<20) + `"}`, hdr: []string{"Content-Type", "application/json"}, status: 413, want: `{"error": "Invalid request"}`},
		{name: "get on post route", path: "/v1/zonefile", status: 404, want: `{"error": "No such endpoint"}`},
	})
	// A tampered stored file is dropped, never served.
	require.NoError(t, writeFile(f.zf.Dir()+"/"+judecnHash[:2]+"/"+judecnHash, []byte("tampered")))
	a = do(t, f.srv, "GET", "/v1/zonefiles/"+judecnHash, nil)
	require.Equal(t, 404, a.status)
	a = do(t, f.srv, "GET", "/v1/names/judecn.id", nil)
	require.Contains(t, string(a.body), `"zonefile": null`)
}

func mustPy(t *testing.T, v any) string {
	b, err := marshalPy(v)
	require.NoError(t, err)
	return string(b)
}

// An empty store answers 503 with a JSON error once the request is valid;
// invalid names are still the reference's 400s.
func TestEmptyStore(t *testing.T) {
	w := newWorld(t)
	srv, err := New(Config{Store: w.st, Params: w.p})
	require.NoError(t, err)
	for path, want := range map[string]int{
		"/v1/info": 503, "/v1/names/a.id": 503, "/v1/names/A": 400, "/v1/names?page=0": 503,
		"/v1/blockchains/bitcoin/consensus": 503, "/v1/nothing": 404, "/v1/zonefiles/" + judecnHash: 404,
	} {
		a := do(t, srv, "GET", path, nil)
		require.Equal(t, want, a.status, path)
		require.True(t, json.Valid(a.body), path)
		require.Empty(t, a.header.Get(HeaderHeight), path)
	}
	_, err = New(Config{})
	require.Error(t, err)
	// A store that fails (here: closed) is a 503, never a 500.
	require.NoError(t, w.st.Close())
	a := do(t, srv, "GET", "/v1/names/a.id", nil)
	require.Equal(t, 503, a.status)
	require.True(t, strings.HasPrefix(string(a.body), `{"error": "Store unavailable: `), "%s", a.body)
}
