package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/spvcheck/spvcheck/spv/regtest"
	"github.com/spvcheck/spvcheck/testvectors"
	"github.com/stretchr/testify/require"
)

// blockstackJSVersion is the blockstack.js release the tests drive; the
// folder's package.json pins it exactly and its lockfile pins the rest.
const blockstackJSVersion = "21.1.1"

// jsClient runs testdata/blockstackjs/client.mjs: blockstack.js itself,
// under Node.
type jsClient struct {
	node, dir string
}

// blockstackJS finds node and blockstack.js, installing the pinned npm
// packages (npm ci) when they are missing. Without node it skips, except
// in CI (CI=true), where .ci/run installs node and a missing one is a
// failure.
func blockstackJS(t *testing.T) *jsClient {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed, and CI must run the blockstack.js tests: .ci/run installs Debian's nodejs and npm")
		}
		t.Skip("node is not installed: the blockstack.js tests need Node.js and npm (apt-get install nodejs npm)")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "blockstackjs"))
	require.NoError(t, err)
	pkg := filepath.Join(dir, "node_modules", "blockstack", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		npm, err := exec.LookPath("npm")
		require.NoError(t, err, "blockstack.js is not installed in %s and there is no npm to install it", dir)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "npm ci in %s:\n%s", dir, out)
	}
	raw, err := os.ReadFile(pkg)
	require.NoError(t, err)
	var meta struct {
		Version string `json:"version"`
	}
	require.NoError(t, json.Unmarshal(raw, &meta))
	require.Equal(t, blockstackJSVersion, meta.Version, "installed blockstack.js; run npm ci in %s", dir)
	return &jsClient{node: node, dir: dir}
}

// jsTask is one call of a blockstack.js function.
type jsTask struct {
	Fn   string `json:"fn"`
	Args []any  `json:"args"`
}

func task(fn string, args ...any) jsTask {
	if args == nil {
		args = []any{}
	}
	return jsTask{Fn: fn, Args: args}
}

// jsAnswer is what a call returned or threw.
type jsAnswer struct {
	I      int             `json:"i"`
	Fn     string          `json:"fn"`
	Args   []any           `json:"args"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
	Code   string          `json:"code"`
}

func (a jsAnswer) String() string {
	if a.OK {
		return fmt.Sprintf("%s%v = %s", a.Fn, a.Args, a.Result)
	}
	if a.Code != "" {
		return fmt.Sprintf("%s%v threw %s", a.Fn, a.Args, a.Code)
	}
	return fmt.Sprintf("%s%v threw %q", a.Fn, a.Args, a.Error)
}

// node runs client.mjs with args, bounded in time, and returns its stdout.
func (c *jsClient) exec(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// --no-experimental-fetch (core-api.md): Node's built-in fetch refuses
	// blockstack.js's referrer "no-referrer"; without it blockstack.js
	// installs its own bundled fetch.
	cmd := exec.CommandContext(ctx, c.node, append([]string{"--no-experimental-fetch", filepath.Join(c.dir, "client.mjs")}, args...)...)
	cmd.Dir = c.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "node client.mjs %s\nstderr:\n%s", strings.Join(args, " "), stderr.String())
	return stdout.Bytes()
}

// run calls every task in order against base and returns one answer per
// task.
func (c *jsClient) run(t *testing.T, base string, tasks []jsTask) []jsAnswer {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tasks.json")
	raw, err := json.Marshal(tasks)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, raw, 0o644))
	out := c.exec(t, "run", base, file)
	var answers []jsAnswer
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var a jsAnswer
		require.NoError(t, json.Unmarshal(sc.Bytes(), &a), "client.mjs line %q", sc.Text())
		require.Equal(t, len(answers), a.I)
		require.Equal(t, tasks[a.I].Fn, a.Fn)
		answers = append(answers, a)
	}
	require.NoError(t, sc.Err())
	require.Len(t, answers, len(tasks), "client.mjs output:\n%s", out)
	return answers
}

// signProfile returns the token file (a JSON array with one wrapped
// token) that blockstack.js's signProfileToken and wrapProfileToken make
// for profile under key.
func (c *jsClient) signProfile(t *testing.T, key *btcec.PrivateKey, profile any) []byte {
	t.Helper()
	file := filepath.Join(t.TempDir(), "profile.json")
	raw, err := json.Marshal(profile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, raw, 0o644))
	return bytes.TrimSpace(c.exec(t, "sign", hex.EncodeToString(key.Serialize()), file))
}

// mainnetAddress re-encodes a p2pkh or p2sh address with mainnet's
// version byte: blockstack.js's coerceAddress, which maps every address
// it reads or sends to its network's (mainnet's by default) version.
func mainnetAddress(t *testing.T, addr string) string {
	t.Helper()
	payload, version, err := base58.CheckDecode(addr)
	require.NoError(t, err, "address %q", addr)
	switch version {
	case 0x00, 0x6f:
		version = 0x00
	case 0x05, 0xc4:
		version = 0x05
	default:
		t.Fatalf("address %q has version %#x", addr, version)
	}
	return base58.CheckEncode(payload, version)
}

// profileZoneFile is a standard zone file whose URI record points at a
// profile token file.
func profileZoneFile(name, url string) string {
	return fmt.Sprintf("$ORIGIN %s\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t%q\n\n", name, url)
}

// TestBlockstackJSClient checks the harness and blockstack.js's own
// behaviour against a scripted loopback server, before any spvcheck is
// involved: each function calls the path core-api.md says, with the body
// it says; prices fall back from v2 to v1 and are raised to the dust
// minimum; getZonefile refuses bytes that do not hash to what was asked;
// addresses are coerced to mainnet's version byte; and lookupProfile
// believes whatever zone file the server sends and accepts a token only
// from the key of the name's address. The spvcheck serve test relies on
// every one of these.
func TestBlockstackJSClient(t *testing.T) {
	js := blockstackJS(t)
	owner, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{7}, 32))
	other, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{9}, 32))
	ownerAddr, err := address.NewAddressPubKeyHash(address.Hash160(owner.PubKey().SerializeCompressed()), regtest.Regtest.Params())
	require.NoError(t, err)
	profile := map[string]any{"@type": "Person", "name": "Alice", "description": "signed by blockstack.js"}

	zones, err := testvectors.ZoneFilesByHash("737c631c7c5d911c6617993c21fba731363f1cfe")
	require.NoError(t, err)
	zone := zones[0]

	// What the server saw; handlers run on the server's goroutines.
	var mu sync.Mutex
	var seen, posted []string
	mux := http.NewServeMux()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()
	reply := func(code int, v any) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(v)
		}
	}
	signed := js.signProfile(t, owner, profile)
	forged := js.signProfile(t, other, profile)
	record := func(zone string) map[string]any {
		return map[string]any{"status": "registered", "address": ownerAddr.EncodeAddress(), "zonefile": zone,
			"zonefile_hash": testvectors.ZoneHash([]byte(zone)), "blockchain": "bitcoin"}
	}
	mux.HandleFunc("GET /v1/names/alice.id", reply(200, record(profileZoneFile("alice.id", srv.URL+"/alice/profile.json"))))
	mux.HandleFunc("GET /v1/names/mallory.id", reply(200, record(profileZoneFile("mallory.id", srv.URL+"/mallory/profile.json"))))
	mux.HandleFunc("GET /v1/names/nobody.id", reply(404, map[string]string{"status": "available"}))
	// A record whose zone file does not hash to its zonefile_hash.
	liar := record(profileZoneFile("alice.id", srv.URL+"/alice/profile.json"))
	liar["zonefile_hash"] = zone.Hash
	mux.HandleFunc("GET /v1/names/liar.id", reply(200, liar))
	mux.HandleFunc("GET /alice/profile.json", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(signed) })
	mux.HandleFunc("GET /mallory/profile.json", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(forged) })
	mux.HandleFunc("GET /v2/prices/names/alice.id", reply(200, map[string]any{"name_price": map[string]any{"units": "BTC", "amount": "640", "satoshis": 640}}))
	mux.HandleFunc("GET /v2/prices/names/alice.club", reply(200, map[string]any{"name_price": map[string]any{"units": "STACKS", "amount": "12800"}}))
	mux.HandleFunc("GET /v2/prices/names/old.id", reply(404, map[string]string{"error": "No such endpoint"}))
	mux.HandleFunc("GET /v1/prices/names/old.id", reply(200, map[string]any{"name_price": map[string]any{"satoshis": 7000}}))
	mux.HandleFunc("GET /v2/prices/namespaces/id", reply(200, map[string]any{"units": "STACKS", "amount": "640000000"}))
	mux.HandleFunc("GET /v1/namespaces/id", reply(200, map[string]any{"namespace_id": "id", "address": ownerAddr.EncodeAddress(),
		"recipient_address": ownerAddr.EncodeAddress(), "version": 1, "reveal_block": 300}))
	mux.HandleFunc("GET /v1/addresses/bitcoin/{addr}", func(w http.ResponseWriter, r *http.Request) {
		reply(200, map[string]any{"names": []string{"alice.id", r.PathValue("addr")}})(w, r)
	})
	mux.HandleFunc("GET /v1/blockchains/bitcoin/consensus", reply(200, map[string]string{"consensus_hash": "00112233445566778899aabbccddeeff"}))
	mux.HandleFunc("GET /v1/zonefiles/"+zone.Hash, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(zone.Bytes) })
	mux.HandleFunc("GET /v1/zonefiles/0000000000000000000000000000000000000000", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(zone.Bytes) })
	mux.HandleFunc("POST /v1/zonefile/", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			reply(400, map[string]string{"error": "body is not a JSON object"})(w, r)
			return
		}
		mu.Lock()
		posted = append(posted, r.Header.Get("Content-Type")+" "+body["zonefile"])
		mu.Unlock()
		if body["zonefile"] == string(zone.Bytes) {
			reply(200, map[string]any{"status": true, "servers": []string{"spvcheck"}})(w, r)
			return
		}
		reply(400, map[string]string{"error": "zone file hash was never announced"})(w, r)
	})

	ans := js.run(t, srv.URL, []jsTask{
		task("getNameInfo", "alice.id"),
		task("getNameInfo", "nobody.id"),
		task("getNamePrice", "alice.id"),
		task("getNamePrice", "alice.club"),
		task("getNamePrice", "old.id"),
		task("getNamespacePrice", "id"),
		task("getNamespaceInfo", "id"),
		task("getNamesOwned", ownerAddr.EncodeAddress()),
		task("getConsensusHash"),
		task("getZonefile", zone.Hash),
		task("getZonefile", "0000000000000000000000000000000000000000"),
		task("broadcastZoneFile", string(zone.Bytes)),
		task("broadcastZoneFile", "$ORIGIN x.id\n"),
		task("lookupProfile", "alice.id"),
		task("lookupProfile", "mallory.id"),
		task("lookupProfile", "liar.id"),
	})
	for _, a := range ans {
		t.Log(a)
	}
	srv.Close() // every handler has returned
	mainnet := mainnetAddress(t, ownerAddr.EncodeAddress())
	var info map[string]any
	require.True(t, ans[0].OK, ans[0].String())
	require.NoError(t, json.Unmarshal(ans[0].Result, &info))
	require.Equal(t, mainnet, info["address"], "getNameInfo coerces the address to mainnet's version")
	require.Equal(t, "Name not found", ans[1].Error)
	require.JSONEq(t, `{"units":"BTC","amount":"5500"}`, string(ans[2].Result), "BTC prices below the dust minimum are raised")
	require.JSONEq(t, `{"units":"STACKS","amount":"12800"}`, string(ans[3].Result))
	require.JSONEq(t, `{"units":"BTC","amount":"7000"}`, string(ans[4].Result), "v1 fallback")
	require.JSONEq(t, `{"units":"STACKS","amount":"640000000"}`, string(ans[5].Result))
	var ns map[string]any
	require.NoError(t, json.Unmarshal(ans[6].Result, &ns))
	require.Equal(t, mainnet, ns["address"])
	require.Equal(t, mainnet, ns["recipient_address"])
	require.JSONEq(t, fmt.Sprintf(`["alice.id", %q]`, mainnet), string(ans[7].Result), "getNamesOwned sends the coerced address")
	require.JSONEq(t, `"00112233445566778899aabbccddeeff"`, string(ans[8].Result))
	var text string
	require.NoError(t, json.Unmarshal(ans[9].Result, &text))
	require.Equal(t, string(zone.Bytes), text)
	require.False(t, ans[10].OK)
	require.Contains(t, ans[10].Error, "Zone file contents hash to "+zone.Hash)
	require.JSONEq(t, `["spvcheck"]`, string(ans[11].Result))
	require.Equal(t, "remote_service_error", ans[12].Code, ans[12].String())
	require.Equal(t, []string{"application/json " + string(zone.Bytes), "application/json $ORIGIN x.id\n"}, posted)
	require.True(t, ans[13].OK, ans[13].String())
	require.JSONEq(t, mustJSON(t, profile), string(ans[13].Result))
	require.False(t, ans[14].OK)
	require.Contains(t, ans[14].Error, "does not match the verifying value")
	require.True(t, ans[15].OK, "lookupProfile believes a zone file that does not match its hash: %s", ans[15])
	require.JSONEq(t, mustJSON(t, profile), string(ans[15].Result))
	require.Contains(t, seen, "GET /v2/prices/names/old.id")
	require.Contains(t, seen, "GET /v1/prices/names/old.id")
	require.NotContains(t, seen, "GET /v1/prices/names/alice.id", "no fallback when v2 answers")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
